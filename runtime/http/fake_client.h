// A scripted http::Client for the layers above: answers from a queue or a
// handler function, and records every request it was given.
#pragma once

#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/http/client.h"

namespace kstate::runtime::http {

// Answers requests from the queue first, then from the handler; with neither,
// a Response with status 0 and an error naming the request.
class FakeClient : public Client {
 public:
  using Handler = std::function<Response(const Request&)>;

  FakeClient() = default;
  explicit FakeClient(Handler handler) : handler_(std::move(handler)) {}

  // Queues a response; Stream delivers its body as the given chunks, or whole.
  void Push(Response response, std::vector<std::string> chunks = {});

  // Every request sent or streamed so far, in order.
  std::vector<Request> requests() const;

  Response Send(const Request& request) override;
  Response Stream(const Request& request, const std::function<bool(std::string_view)>& on_data) override;

 private:
  struct Scripted {
    Response response;
    std::vector<std::string> chunks;
  };
  Scripted Next(const Request& request);

  mutable std::mutex mutex_;
  Handler handler_;
  std::deque<Scripted> queue_;
  std::vector<Request> requests_;
};

}  // namespace kstate::runtime::http
