// How `kstatec apply` shows a rollout: a live view redrawn in place on a
// terminal (one line per component, one per pod ordinal), timestamped lines
// when the output is not a terminal, or one JSON event per line.
#pragma once

#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/plan/rollout.h"

namespace kstate::runtime::plan {

struct ComponentStatus {
  enum class State { Waiting, Applying, RollingOut, Ready, Failed, Skipped };
  std::string name;
  State state = State::Waiting;
  std::string message;         // the rollout's sentence, the error, what it waits for
  std::vector<PodView> pods;
};

std::string_view StateName(ComponentStatus::State s);

// Receives progress from several threads; implementations serialise.
class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void Update(const ComponentStatus& status) = 0;
  // A one-off line: an object applied, a warning.
  virtual void Note(const std::string& component, const std::string& line) = 0;
  // The end: leaves the final state on screen.
  virtual void Finish() = 0;
};

enum class OutputMode { Live, Lines, JsonEvents };
std::unique_ptr<Reporter> MakeReporter(OutputMode mode, std::FILE* out);

}  // namespace kstate::runtime::plan
