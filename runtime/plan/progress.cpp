// The three reporters. The live view keeps the last state of every component
// and redraws the block in place (cursor up, clear to the end) on each
// change; the others print only what changed.
#include "runtime/plan/progress.h"

#include <chrono>
#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace kstate::runtime::plan {

std::string_view StateName(ComponentStatus::State s) {
  switch (s) {
    case ComponentStatus::State::Waiting: return "waiting";
    case ComponentStatus::State::Applying: return "applying";
    case ComponentStatus::State::RollingOut: return "rolling out";
    case ComponentStatus::State::Ready: return "ready";
    case ComponentStatus::State::Failed: return "failed";
    case ComponentStatus::State::Skipped: return "skipped";
  }
  return "";
}

namespace {

std::string PodLine(const PodView& p) {
  std::string state = !p.exists ? "not created yet" : p.problem.empty() ? p.phase : p.problem;
  return fmt::format("    {:<24} {:<10} {:<18} {}", p.name, p.exists ? "rev " + p.revision : "", state,
                     p.exists ? (p.ready ? "ready" : "not ready") : "");
}

std::string Timestamp() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%H:%M:%SZ", &tm);
  return buf;
}

class LiveReporter : public Reporter {
 public:
  explicit LiveReporter(std::FILE* out) : out_(out) {}
  void Update(const ComponentStatus& s) override {
    std::lock_guard lock(mutex_);
    if (!order_.count(s.name)) order_[s.name] = order_.size();
    states_[s.name] = s;
    Redraw();
  }
  void Note(const std::string& component, const std::string& line) override {
    std::lock_guard lock(mutex_);
    Clear();
    fmt::print(out_, "{}: {}\n", component, line);
    drawn_ = 0;
    Redraw();
  }
  void Finish() override {
    std::lock_guard lock(mutex_);
    std::fflush(out_);
  }

 private:
  void Clear() {
    if (drawn_ > 0) fmt::print(out_, "\x1b[{}F\x1b[J", drawn_);
  }
  void Redraw() {
    Clear();
    std::vector<const ComponentStatus*> sorted(order_.size());
    for (const auto& [name, index] : order_) sorted[index] = &states_[name];
    size_t lines = 0;
    for (const ComponentStatus* s : sorted) {
      fmt::print(out_, "{:<20} {:<12} {}\n", s->name, StateName(s->state), s->message);
      ++lines;
      if (s->state == ComponentStatus::State::RollingOut || s->state == ComponentStatus::State::Failed) {
        for (const PodView& p : s->pods) {
          fmt::print(out_, "{}\n", PodLine(p));
          ++lines;
        }
      }
    }
    drawn_ = lines;
    std::fflush(out_);
  }
  std::FILE* out_;
  std::mutex mutex_;
  std::map<std::string, size_t> order_;
  std::map<std::string, ComponentStatus> states_;
  size_t drawn_ = 0;
};

class LineReporter : public Reporter {
 public:
  explicit LineReporter(std::FILE* out) : out_(out) {}
  void Update(const ComponentStatus& s) override {
    std::lock_guard lock(mutex_);
    std::string line = fmt::format("{} {:<12} {}", s.name, StateName(s.state), s.message);
    if (last_[s.name] != line) fmt::print(out_, "{} {}\n", Timestamp(), line);
    last_[s.name] = line;
    for (const PodView& p : s.pods) {
      std::string key = s.name + "/" + p.name;
      std::string pod = PodLine(p);
      if (p.exists && last_[key] != pod) fmt::print(out_, "{} {}\n", Timestamp(), pod);
      last_[key] = pod;
    }
    std::fflush(out_);
  }
  void Note(const std::string& component, const std::string& line) override {
    std::lock_guard lock(mutex_);
    fmt::print(out_, "{} {}: {}\n", Timestamp(), component, line);
    std::fflush(out_);
  }
  void Finish() override {}

 private:
  std::FILE* out_;
  std::mutex mutex_;
  std::map<std::string, std::string> last_;
};

class JsonReporter : public Reporter {
 public:
  explicit JsonReporter(std::FILE* out) : out_(out) {}
  void Update(const ComponentStatus& s) override {
    nlohmann::json pods = nlohmann::json::array();
    for (const PodView& p : s.pods) {
      pods.push_back({{"ordinal", p.ordinal}, {"name", p.name}, {"exists", p.exists}, {"revision", p.revision},
                      {"updated", p.updated}, {"phase", p.phase}, {"ready", p.ready}, {"problem", p.problem}});
    }
    nlohmann::json event{{"time", Timestamp()}, {"event", "component"}, {"component", s.name},
                         {"state", std::string(StateName(s.state))}, {"message", s.message}, {"pods", pods}};
    Emit(event);
  }
  void Note(const std::string& component, const std::string& line) override {
    Emit({{"time", Timestamp()}, {"event", "note"}, {"component", component}, {"message", line}});
  }
  void Finish() override {}

 private:
  void Emit(const nlohmann::json& event) {
    std::lock_guard lock(mutex_);
    std::string text = event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    // One event per line, and only when something changed.
    if (event["event"] == "component") {
      nlohmann::json timeless = event;
      timeless.erase("time");
      std::string key = timeless.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      std::string& last = last_[event["component"].get<std::string>()];
      if (last == key) return;
      last = key;
    }
    fmt::print(out_, "{}\n", text);
    std::fflush(out_);
  }
  std::FILE* out_;
  std::mutex mutex_;
  std::map<std::string, std::string> last_;
};

}  // namespace

std::unique_ptr<Reporter> MakeReporter(OutputMode mode, std::FILE* out) {
  switch (mode) {
    case OutputMode::Live: return std::make_unique<LiveReporter>(out);
    case OutputMode::Lines: return std::make_unique<LineReporter>(out);
    case OutputMode::JsonEvents: return std::make_unique<JsonReporter>(out);
  }
  return nullptr;
}

}  // namespace kstate::runtime::plan
