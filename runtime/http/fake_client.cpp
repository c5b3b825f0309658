// FakeClient: scripted responses for tests of the layers above http.
#include "runtime/http/fake_client.h"

namespace kstate::runtime::http {

void FakeClient::Push(Response response, std::vector<std::string> chunks) {
  std::lock_guard lock(mutex_);
  queue_.push_back({std::move(response), std::move(chunks)});
}

std::vector<Request> FakeClient::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

FakeClient::Scripted FakeClient::Next(const Request& request) {
  Handler handler;
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(request);
    if (!queue_.empty()) {
      Scripted next = std::move(queue_.front());
      queue_.pop_front();
      return next;
    }
    handler = handler_;
  }
  // The handler runs unlocked so that it may itself inspect requests().
  if (handler) return {handler(request), {}};
  Response none;
  none.error = "fake client: no response scripted for " + request.method + " " + request.url;
  return {std::move(none), {}};
}

Response FakeClient::Send(const Request& request) { return Next(request).response; }

Response FakeClient::Stream(const Request& request, const std::function<bool(std::string_view)>& on_data) {
  Scripted next = Next(request);
  if (next.response.status < 200 || next.response.status >= 300) return next.response;
  if (next.chunks.empty() && !next.response.body.empty()) next.chunks.push_back(next.response.body);
  next.response.body.clear();
  for (const std::string& chunk : next.chunks) {
    if (!on_data(chunk)) break;
  }
  return next.response;
}

}  // namespace kstate::runtime::http
