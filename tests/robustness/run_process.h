// Helpers for the unit tests that run the real `kstatec` as a child process
// (tests/unit/robustness_test.cpp, tests/unit/determinism_test.cpp):
// finding the binary beside the test binary, and running a command with a
// time limit while capturing its output. Header-only; POSIX (Linux) only.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

extern char** environ;

namespace kstate::testing {

// The `kstatec` of the build tree the running test binary belongs to: the
// binary is <build>/tests/unit/kstate_unit_tests and kstatec is <build>/kstatec
// (the top of the build tree, the directory holding CMakeCache.txt). The
// KSTATEC environment variable overrides the search. Empty when not found.
inline std::filesystem::path FindKstatec() {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (const char* env = std::getenv("KSTATEC"); env != nullptr && env[0] != '\0') {
    fs::path p(env);
    return fs::is_regular_file(p, ec) ? fs::absolute(p, ec) : fs::path();
  }
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  fs::path dir = exe.parent_path();
  for (int up = 0; up < 4 && !dir.empty(); ++up, dir = dir.parent_path()) {
    if (fs::exists(dir / "CMakeCache.txt", ec)) {
      fs::path candidate = dir / "kstatec";
      if (fs::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0) return candidate;
      return {};
    }
    if (dir == dir.root_path()) break;
  }
  return {};
}

struct ProcessResult {
  bool started = false;
  bool timed_out = false;
  int exit_code = -1;  // when it exited normally
  int signal = 0;      // when a signal ended it
  std::string out;     // standard output
  std::string err;     // standard error

  bool exited() const { return started && !timed_out && signal == 0 && exit_code >= 0; }
  std::string Describe() const {
    if (!started) return "could not be started";
    if (timed_out) return "timed out (killed)";
    if (signal != 0) return "killed by signal " + std::to_string(signal);
    return "exited with " + std::to_string(exit_code);
  }
};

// Runs argv[0] (a path, not searched in PATH) with the given arguments, stdin
// from /dev/null, and returns its exit status and output. A process still
// running after `timeout_seconds` is killed with SIGKILL.
inline ProcessResult RunProcess(const std::vector<std::string>& argv, double timeout_seconds) {
  ProcessResult r;
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return r;
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return r;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (rc != 0) {
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    return r;
  }
  r.started = true;

  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline =
      Clock::now() + std::chrono::milliseconds(static_cast<long long>(timeout_seconds * 1000));
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&r.out, &r.err};
  int open_fds = 2;
  char buffer[65536];
  while (open_fds > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      r.timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    int n = ::poll(fds, 2, static_cast<int>(std::min<long long>(left, 1000)));
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t got = ::read(fds[i].fd, buffer, sizeof buffer);
      if (got > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(got));
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (pollfd& p : fds) {
    if (p.fd >= 0) ::close(p.fd);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!r.timed_out) {
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  }
  return r;
}

// True when a child's standard error shows that a sanitizer caught a bug
// (an ASan build of kstatec exits with 1 after its report, like an input error).
inline bool HasSanitizerReport(const std::string& err) {
  return err.find("AddressSanitizer") != std::string::npos || err.find("LeakSanitizer") != std::string::npos ||
         err.find("UndefinedBehaviorSanitizer") != std::string::npos || err.find("runtime error:") != std::string::npos;
}

}  // namespace kstate::testing
