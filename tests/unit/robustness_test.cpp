// Robustness: no input crashes or hangs the compiler.
//
// Every `.kstate` under examples/ and tests/golden/ (found at run time, so new
// files join by themselves) is compiled cut at every byte offset and with
// seeded random mutations, and a set of hand-written hostile inputs follows.
// Each compilation must keep the contract of `kstatec` (exit 0 or 1 with
// diagnostics): either ok(), or at least one error diagnostic with a code;
// every rendering (Yaml(), Json(), DiagnosticsText(), DiagnosticsJson()) must
// succeed and the JSON ones must parse; a file that is not UTF-8 must be
// refused (KS1008). Sanitizer builds (-DKSTATE_SANITIZE=ON) turn memory errors
// and undefined behaviour into failures too. A last test runs the real
// `kstatec check` on a sample of the mutated inputs.
//
// The inputs run in forked worker processes (one per batch of inputs, as many
// at once as there are cores, up to 4), so that a crash, a hang (an input
// running past its time limit) or a runaway allocation is reported as a
// failed check naming the input instead of taking the test binary down. A
// failing input is saved under $TMPDIR/kstate-robustness-failures/ for
// reproduction with `kstatec check FILE`.
//
// Time: an optimized build cuts every input at every byte offset. Debug and
// sanitizer builds have a budget of kPrefixBudget prefix compilations; while
// the corpus has more byte offsets than that, every k-th offset is tried (from
// a per-file phase the seed moves) and a warning says so. In a Debug + ASan
// build the whole test takes about half a minute on two idle cores.
//
// Knobs (environment variables):
//   KSTATE_ROBUSTNESS_SEED     base seed of the mutations and the prefix phase
//   KSTATE_ROBUSTNESS_SCALE    multiplies the mutation count and the prefix
//                              budget (e.g. 10 for a nightly run)
//   KSTATE_ROBUSTNESS_JOBS     worker processes (default: cores, at most 4)
//   KSTATE_ROBUSTNESS_VERBOSE  1: print the time each batch took
//   KSTATEC                    the kstatec binary of the process-level check
//                              (default: <build>/kstatec beside this binary)
//
// Inputs that once crashed or hung the compiler have a test case of their own
// ("[regressions]"); tests/robustness/README.md lists them and their fixes.
#include "kstate_files.h"
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "kstate/compiler.h"
#include "tests/robustness/run_process.h"

namespace {

namespace fs = std::filesystem;

// ---- knobs

// Mutated inputs per corpus file (times KSTATE_ROBUSTNESS_SCALE).
constexpr size_t kMutationsPerFile = 50;
// Total prefix compilations over the whole corpus (times the scale). An
// optimized build (the Release run of the suite) tries every byte offset of
// every file; Debug and sanitizer builds, ten times slower, sample offsets
// with an even stride within this budget (a line in the output says so).
constexpr size_t kEveryOffset = SIZE_MAX / 4;
#if defined(NDEBUG) && !defined(__SANITIZE_ADDRESS__)
constexpr size_t kPrefixBudget = kEveryOffset;
#else
constexpr size_t kPrefixBudget = 10000;
#endif
// Inputs per worker batch.
constexpr size_t kBatchSize = 400;
// Seconds one ordinary input may take (Debug + ASan) before it counts as a hang.
constexpr unsigned kInputTimeout = 20;
// Resident memory (MiB) past which a worker is killed and its input reported.
// ASan's shadow memory and quarantine count too (the 5 MB input peaks near
// 1.1 GB under ASan), hence the generous figure.
constexpr size_t kMemoryLimitMiB = 2048;
// Mutated inputs also run through the real `kstatec check`.
constexpr size_t kProcessSamples = 50;

uint64_t EnvU64(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  return std::strtoull(v, nullptr, 0);
}

double EnvDouble(const char* name, double fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  double d = std::strtod(v, nullptr);
  return d > 0 ? d : fallback;
}

uint64_t BaseSeed() { return EnvU64("KSTATE_ROBUSTNESS_SEED", 0x6b7374617465ULL); }
double Scale() { return EnvDouble("KSTATE_ROBUSTNESS_SCALE", 1.0); }

unsigned Workers() {
  uint64_t env = EnvU64("KSTATE_ROBUSTNESS_JOBS", 0);
  if (env > 0) return static_cast<unsigned>(std::min<uint64_t>(env, 64));
  unsigned hw = std::thread::hardware_concurrency();
  return std::clamp(hw, 1u, 4u);
}

// ---- the corpus

using CorpusFile = kstate::testing::KstateFile;

std::vector<CorpusFile> LoadCorpus() { return kstate::testing::LoadKstateFiles({"examples", "tests/golden"}); }

const std::vector<CorpusFile>& Corpus() {
  static const std::vector<CorpusFile> corpus = LoadCorpus();
  return corpus;
}

// ---- deterministic randomness (SplitMix64: the same stream on every platform)

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  size_t Below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(Next() % n); }

 private:
  uint64_t state_;
};

uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

// Bytes and fragments that parsers get wrong: delimiters, escapes, bytes that
// are not UTF-8, NUL, and bits of the language.
const std::vector<std::string>& SpecialFragments() {
  static const std::vector<std::string> fragments = {
      "{", "}", "(", ")", "[", "]", "\"", "\"\"\"", "$", "${", "$${", "\\", "\\u{", "\\u{110000}", "\\u{d800}",
      std::string(1, '\xff'), std::string(1, '\xc3'), "\xe2\x82", "\xf0\x9f\x98", "\xed\xa0\x80", "\xef\xbb\xbf",
      std::string(1, '\0'), "\r", "\n", "\t", "/*", "*/", "//", "-", "--", ".", "..", "...", "=", "==", ":", ",",
      ";", "+", "*", "/", "%", "<", ">=", "!=", "0", "00", "1e400", "99999999999999999999", "9223372036854775807",
      "-9223372036854775808", "0.0000000000000000001", "1.5", "1Gi", "999999Ei", "1m", "10s", "0x", "0o9", "_",
      "component", "namespace", "let", "if", "then", "else", "for", "in", "not", "and", "or", "true", "false",
      "port", "file", "mount", "at", "component x {}", "let x = x", "a.b.c", "replicas = -1", "exec(", "tcp(",
      "http(", "join(", "x { }"};
  return fragments;
}

// One to three random edits of `text`.
std::string Mutate(const std::string& text, uint64_t seed) {
  Rng rng(seed);
  std::string s = text;
  const size_t edits = 1 + rng.Below(3);
  for (size_t e = 0; e < edits; ++e) {
    const size_t at = rng.Below(s.size() + 1);
    switch (rng.Below(7)) {
      case 0:  // replace a byte with a random one
        if (!s.empty()) s[std::min(at, s.size() - 1)] = static_cast<char>(rng.Below(256));
        break;
      case 1:  // delete a byte
        if (at < s.size()) s.erase(at, 1);
        break;
      case 2:  // insert a random byte
        s.insert(at, 1, static_cast<char>(rng.Below(256)));
        break;
      case 3: {  // duplicate a slice somewhere else
        if (s.empty()) break;
        size_t from = rng.Below(s.size());
        size_t len = 1 + rng.Below(std::min<size_t>(64, s.size() - from));
        std::string slice = s.substr(from, len);
        s.insert(rng.Below(s.size() + 1), slice);
        break;
      }
      case 4: {  // delete a slice
        if (at >= s.size()) break;
        s.erase(at, 1 + rng.Below(std::min<size_t>(32, s.size() - at)));
        break;
      }
      case 5:
      case 6: {  // insert a special fragment (twice as likely as the others)
        const auto& f = SpecialFragments();
        s.insert(at, f[rng.Below(f.size())]);
        break;
      }
    }
  }
  return s;
}

uint64_t MutationSeed(const CorpusFile& file, size_t index) {
  return BaseSeed() ^ Fnv1a(file.rel) ^ (0x2545f4914f6cdd1dULL * (index + 1));
}

size_t MutationCount() { return std::max<size_t>(1, static_cast<size_t>(kMutationsPerFile * Scale())); }

// ---- the contract

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above
// U+10FFFF.
bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    unsigned char lo = 0x80, hi = 0xbf;  // the allowed range of the second byte
    if (c >= 0xc2 && c <= 0xdf) len = 2;
    else if (c == 0xe0) len = 3, lo = 0xa0;
    else if ((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef) len = 3;
    else if (c == 0xed) len = 3, hi = 0x9f;
    else if (c == 0xf0) len = 4, lo = 0x90;
    else if (c >= 0xf1 && c <= 0xf3) len = 4;
    else if (c == 0xf4) len = 4, hi = 0x8f;
    else return false;
    if (i + len > s.size()) return false;
    const auto c1 = static_cast<unsigned char>(s[i + 1]);
    if (c1 < lo || c1 > hi) return false;
    for (size_t k = 2; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

// How much of the output to produce and verify.
enum class Depth {
  kFull,       // Yaml(), Json() (validated as JSON), and the diagnostics
  kYamlOnly,   // for huge inputs: Yaml() and the diagnostics only (no object list,
               // which would lower every component a second time)
};

// Compiles one input and checks the contract; returns what is wrong, or "".
std::string CheckContract(const std::string& path, const std::string& text, bool expect_ok = false,
                          Depth depth = Depth::kFull) {
  try {
    kstate::Compilation c = kstate::Compilation::FromSources({{path, text}});
    const bool ok = c.ok();
    const std::vector<kstate::Diagnostic> diags = c.diagnostics();
    const std::string rendered = c.DiagnosticsText({});
    (void)c.DiagnosticsText({true, 3});
    const std::string diag_json = c.DiagnosticsJson();
    if (ok) {
      const std::string yaml = c.Yaml();
      if (depth == Depth::kFull) {
        const std::string json = c.Json();
        const size_t count = c.object_count();
        if (count > 0 && (yaml.empty() || json.empty())) return "ok() with objects, but Yaml() or Json() is empty";
        for (size_t i = 0; i < count; ++i) {
          kstate::ObjectInfo info = c.object(i);
          if (info.kind.empty() || info.name.empty()) return "object " + std::to_string(i) + " has no kind or name";
        }
        if (!nlohmann::json::accept(json)) return "Json() is not valid JSON";
      } else if (expect_ok && yaml.empty()) {
        return "ok(), but Yaml() is empty";
      }
    } else {
      const bool has_coded_error = std::any_of(diags.begin(), diags.end(), [](const kstate::Diagnostic& d) {
        return d.severity == "error" && !d.code.empty();
      });
      if (!has_coded_error) return "!ok() but no error diagnostic with a code";
      if (c.error_count() == 0) return "!ok() but error_count() is 0";
      if (rendered.empty()) return "!ok() but DiagnosticsText() is empty";
    }
    for (const kstate::Diagnostic& d : diags) {
      if (d.code.empty()) return "a diagnostic without a code: " + d.message;
      if (!d.file.empty() && (d.line == 0 || d.column == 0)) return "a diagnostic with a file but line or column 0";
    }
    nlohmann::json parsed = nlohmann::json::parse(diag_json, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded() || !parsed.is_array()) return "DiagnosticsJson() is not a JSON array (invalid JSON or UTF-8?)";
    if (parsed.size() != diags.size()) return "DiagnosticsJson() and diagnostics() disagree on the count";
    // A file that is not UTF-8 is refused as a whole (KS1008): its bytes would
    // otherwise reach diagnostics and manifests, which must be UTF-8.
    if (ok && !IsValidUtf8(text)) return "ok() although the input is not valid UTF-8 (expected KS1008)";
    if (expect_ok && !ok) {
      return "expected this input to compile, but: " + (diags.empty() ? std::string("?") : diags.front().message);
    }
    return {};
  } catch (const std::exception& e) {
    return std::string("an exception escaped: ") + e.what();
  } catch (...) {
    return "a non-standard exception escaped";
  }
}

// ---- isolated workers

struct Job {
  std::string label;                          // what the batch is, for messages
  std::string path;                           // the file name the compiler sees
  size_t count = 0;                           // inputs in the batch
  std::function<std::string(size_t)> input;   // the i-th input (deterministic)
  unsigned timeout = kInputTimeout;           // seconds per input
  bool expect_ok = false;                     // the input must compile cleanly
  Depth depth = Depth::kFull;
};

struct Failure {
  std::string label;
  size_t index = 0;
  std::string what;
  std::string saved;  // where the input was saved
};

std::string Escape(std::string_view s, size_t max) {
  std::string out;
  for (size_t i = 0; i < s.size() && i < max; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\n') out += "\\n";
    else if (c == '\\') out += "\\\\";
    else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else out += static_cast<char>(c);
  }
  if (s.size() > max) out += "...";
  return out;
}

std::string SaveInput(const std::string& label, size_t index, const std::string& text) {
  std::error_code ec;
  fs::path dir = fs::temp_directory_path(ec) / "kstate-robustness-failures";
  fs::create_directories(dir, ec);
  std::string name;
  for (char c : label) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  fs::path file = dir / (name.substr(0, 120) + "-" + std::to_string(index) + ".kstate");
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  return out ? file.string() : std::string("(could not save)");
}

// In the child: runs the batch, writes "index\tmessage\n" per contract
// violation (the first few) to `fd`, and records the input under way in
// `*progress` so that the parent can name the input that crashed or hung.
[[noreturn]] void RunBatchInChild(const Job& job, int fd, std::atomic<uint64_t>* progress) {
  // Default actions for fatal signals: a crash must kill this process (the
  // parent reports it), not reach Catch2's handler, which would print a test
  // summary from the child.
  for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGALRM}) ::signal(sig, SIG_DFL);
  size_t reported = 0, violations = 0;
  for (size_t i = 0; i < job.count; ++i) {
    progress->store(i, std::memory_order_relaxed);
    ::alarm(job.timeout);  // SIGALRM (default action: terminate) marks a hang
    std::string message = CheckContract(job.path, job.input(i), job.expect_ok, job.depth);
    if (message.empty()) continue;
    ++violations;
    if (reported++ < 3) {
      std::replace(message.begin(), message.end(), '\n', ' ');
      std::string line = std::to_string(i) + "\t" + message + "\n";
      [[maybe_unused]] ssize_t w = ::write(fd, line.data(), line.size());
    }
  }
  ::alarm(0);
  if (violations > reported) {
    std::string line = "more\t" + std::to_string(violations - reported) + "\n";
    [[maybe_unused]] ssize_t w = ::write(fd, line.data(), line.size());
  }
  ::close(fd);
  ::_exit(0);  // no atexit handlers, no Catch2 teardown in the child
}

// Resident memory of a process in MiB, from /proc (0 when unknown).
size_t ResidentMiB(pid_t pid) {
  std::ifstream statm("/proc/" + std::to_string(pid) + "/statm");
  size_t pages_total = 0, pages_resident = 0;
  if (!(statm >> pages_total >> pages_resident)) return 0;
  return pages_resident * static_cast<size_t>(::sysconf(_SC_PAGESIZE)) / (1024 * 1024);
}

// Runs the jobs in up to `workers` child processes at a time; returns every
// contract violation, crash, hang and runaway allocation. With
// KSTATE_ROBUSTNESS_VERBOSE=1 it prints how long each job took.
std::vector<Failure> RunJobs(const std::vector<Job>& jobs, unsigned workers) {
  using Clock = std::chrono::steady_clock;
  std::vector<Failure> failures;
  if (jobs.empty()) return failures;
  const bool verbose = EnvU64("KSTATE_ROBUSTNESS_VERBOSE", 0) != 0;
  const size_t bytes = jobs.size() * sizeof(std::atomic<uint64_t>);
  void* shared = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) {
    failures.push_back({"(setup)", 0, std::string("mmap failed: ") + std::strerror(errno), {}});
    return failures;
  }
  auto* progress = static_cast<std::atomic<uint64_t>*>(shared);
  for (size_t i = 0; i < jobs.size(); ++i) new (&progress[i]) std::atomic<uint64_t>(0);

  struct Running {
    size_t job;
    pid_t pid;
    int fd;
    Clock::time_point started;
    std::string output;
    size_t killed_at_mib = 0;  // the watchdog killed it for using this much memory
  };
  std::vector<Running> running;
  size_t next = 0;
  std::fflush(stdout);
  std::fflush(stderr);

  auto finish = [&](Running& r) {
    const Job& job = jobs[r.job];
    int status = 0;
    while (::waitpid(r.pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (verbose) {
      double seconds = std::chrono::duration<double>(Clock::now() - r.started).count();
      std::printf("  %7.3f s  %s (%zu inputs)\n", seconds, job.label.c_str(), job.count);
    }
    std::istringstream lines(r.output);
    for (std::string line; std::getline(lines, line);) {
      size_t tab = line.find('\t');
      if (tab == std::string::npos) continue;
      std::string key = line.substr(0, tab), what = line.substr(tab + 1);
      if (key == "more") {
        failures.push_back({job.label, 0, "... and " + what + " more contract violations in this batch", {}});
        continue;
      }
      size_t index = std::stoul(key);
      std::string text = job.input(index);
      failures.push_back({job.label, index, what + "; input: \"" + Escape(text, 160) + "\"", SaveInput(job.label, index, text)});
    }
    const bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!clean) {
      size_t index = progress[r.job].load();
      std::string how;
      if (r.killed_at_mib > 0) {
        how = "RUNAWAY MEMORY: input " + std::to_string(index) + " grew past " + std::to_string(r.killed_at_mib) +
              " MiB resident (limit " + std::to_string(kMemoryLimitMiB) + ")";
      } else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
        how = "HANG: input " + std::to_string(index) + " ran longer than " + std::to_string(job.timeout) + " s";
      } else if (WIFSIGNALED(status)) {
        how = "CRASH: killed by signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
      } else {
        how = "CRASH: the worker exited with status " + std::to_string(WEXITSTATUS(status)) +
              " (an uncaught exception or a sanitizer report is printed above)";
      }
      std::string text = job.input(index);
      failures.push_back({job.label, index,
                          how + "; input of " + std::to_string(text.size()) + " bytes: \"" + Escape(text, 160) + "\"",
                          SaveInput(job.label, index, text)});
    }
    ::close(r.fd);
  };

  while (next < jobs.size() || !running.empty()) {
    while (next < jobs.size() && running.size() < workers) {
      int fds[2];
      if (::pipe(fds) != 0) break;
      pid_t pid = ::fork();
      if (pid == 0) {
        ::close(fds[0]);
        for (const Running& r : running) ::close(r.fd);
        RunBatchInChild(jobs[next], fds[1], &progress[next]);
      }
      ::close(fds[1]);
      if (pid < 0) {
        ::close(fds[0]);
        failures.push_back({jobs[next].label, 0, std::string("fork failed: ") + std::strerror(errno), {}});
        ++next;
        continue;
      }
      running.push_back({next++, pid, fds[0], Clock::now(), {}, 0});
    }
    if (running.empty()) break;
    std::vector<pollfd> fds;
    for (const Running& r : running) fds.push_back({r.fd, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), 100) < 0 && errno != EINTR) break;
    for (size_t i = running.size(); i-- > 0;) {
      Running& r = running[i];
      if (fds[i].revents == 0) {
        // The watchdog: an input that allocates without bound is a bug, and
        // must not take the machine down with it.
        size_t mib = r.killed_at_mib == 0 ? ResidentMiB(r.pid) : 0;
        if (mib > kMemoryLimitMiB) {
          r.killed_at_mib = mib;
          ::kill(r.pid, SIGKILL);
        }
        continue;
      }
      char buffer[4096];
      ssize_t got = ::read(r.fd, buffer, sizeof buffer);
      if (got > 0) {
        r.output.append(buffer, static_cast<size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        finish(r);
        running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
      }
    }
  }
  ::munmap(shared, bytes);
  return failures;
}

void ReportFailures(const std::vector<Failure>& failures) {
  for (const Failure& f : failures) {
    std::string where = f.saved.empty() ? std::string() : "\n  saved as " + f.saved;
    FAIL_CHECK(f.label << " [input " << f.index << "]: " << f.what << where);
  }
}

// ---- batches over the corpus

std::vector<Job> PrefixJobs(size_t& stride_out) {
  const auto& corpus = Corpus();
  size_t total = 0;
  for (const CorpusFile& f : corpus) total += f.text.size() + 1;
  const size_t budget =
      kPrefixBudget == kEveryOffset ? kEveryOffset : static_cast<size_t>(static_cast<double>(kPrefixBudget) * Scale());
  const size_t stride = total <= budget ? 1 : (total + budget - 1) / budget;
  stride_out = stride;
  std::vector<Job> jobs;
  for (const CorpusFile& f : corpus) {
    // Every prefix length; past the budget, 0, the whole text, and every
    // stride-th length from a per-file phase that the seed moves.
    std::vector<size_t> lengths;
    const size_t phase = stride > 1 ? Rng(BaseSeed() ^ Fnv1a(f.rel)).Below(stride) : 0;
    if (phase != 0) lengths.push_back(0);
    for (size_t n = phase; n <= f.text.size(); n += stride) lengths.push_back(n);
    if (lengths.back() != f.text.size()) lengths.push_back(f.text.size());
    auto shared_lengths = std::make_shared<std::vector<size_t>>(std::move(lengths));
    for (size_t from = 0; from < shared_lengths->size(); from += kBatchSize) {
      Job job;
      job.count = std::min(kBatchSize, shared_lengths->size() - from);
      job.label = f.rel + " cut at offsets " + std::to_string((*shared_lengths)[from]) + ".." +
                  std::to_string((*shared_lengths)[from + job.count - 1]);
      job.path = f.rel;
      const std::string* text = &f.text;
      job.input = [text, shared_lengths, from](size_t i) { return text->substr(0, (*shared_lengths)[from + i]); };
      jobs.push_back(std::move(job));
    }
  }
  return jobs;
}

std::vector<Job> MutationJobs() {
  std::vector<Job> jobs;
  const size_t count = MutationCount();
  for (const CorpusFile& f : Corpus()) {
    for (size_t from = 0; from < count; from += kBatchSize) {
      Job job;
      job.count = std::min(kBatchSize, count - from);
      job.label = f.rel + " mutations " + std::to_string(from) + ".." + std::to_string(from + job.count - 1) +
                  " (seed " + std::to_string(BaseSeed()) + ")";
      job.path = f.rel;
      const CorpusFile* file = &f;
      job.input = [file, from](size_t i) { return Mutate(file->text, MutationSeed(*file, from + i)); };
      jobs.push_back(std::move(job));
    }
  }
  return jobs;
}

// ---- hand-written hostile inputs

std::string Repeat(std::string_view s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

// A component around `field = value` (with an image, unless that is the field).
std::string WithValue(std::string_view field, const std::string& value) {
  std::string image = field == "image" ? "" : "  image = \"docker.io/library/redis:7.2.4\"\n";
  return "component c {\n" + image + "  " + std::string(field) + " = " + value + "\n}\n";
}

// 20,000 small, valid components with distinct names: about 5 MB.
std::string ManyComponents(size_t n) {
  std::string out = "namespace \"bulk\"\n";
  out.reserve(n * 260);
  for (size_t i = 0; i < n; ++i) {
    std::string name = "cache-" + std::to_string(i);
    out += "// a small cache, number " + std::to_string(i) + "\ncomponent " + name +
           " {\n  image    = \"docker.io/library/redis:7.2.4\"\n  replicas = " + std::to_string(1 + i % 5) +
           "\n  port redis = 6379\n  readiness = tcp(redis)\n  resources { cpu = 100m; memory = 128Mi }\n"
           "  storage data { size = 1Gi; mount = \"/data\" }\n}\n";
  }
  return out;
}

struct Hostile {
  std::string name;
  std::function<std::string()> make;
  bool expect_ok = false;
  unsigned timeout = 60;
  Depth depth = Depth::kFull;
};

std::vector<Hostile> HostileInputs() {
  const size_t k100 = 100000;
  std::vector<Hostile> inputs = {
      // First: the longest job (about 20 s in a Debug + ASan build) starts
      // while the others share the remaining workers. JSON is skipped: 40 MB
      // of it would double the time and Json() is exercised everywhere else.
      {"20k components, 5 MB", [] { return ManyComponents(20000); }, /*expect_ok=*/true, 180, Depth::kYamlOnly},
      {"100k nested (", [=] { return WithValue("replicas", Repeat("(", k100) + "1" + Repeat(")", k100)); }},
      {"100k nested [", [=] { return WithValue("args", Repeat("[", k100) + Repeat("]", k100)); }},
      {"100k nested { records", [=] { return WithValue("labels", Repeat("{a: ", k100) + "1" + Repeat("}", k100)); }},
      {"100k { at the top level", [=] { return Repeat("{", k100); }},
      {"100k { after a component", [=] { return "component c " + Repeat("{", k100); }},
      {"100k nested ( unclosed", [=] { return WithValue("replicas", Repeat("(", k100)); }},
      {"100k nested overrides", [=] {
         return "component c {\n  let s = exec(\"true\")\n  liveness = s" + Repeat(" { period = s", k100) +
                Repeat("}", k100) + "\n}\n";
       }},
      {"100k if-else chain", [=] { return WithValue("replicas", Repeat("if true then 1 else ", k100) + "1"); }},
      {"1 MB string", [] { return WithValue("image", "\"" + std::string(1 << 20, 'a') + "\""); }},
      {"1 MB string, unterminated", [] { return WithValue("image", "\"" + std::string(1 << 20, 'a')); }},
      {"1 MB block string", [] {
         return "component c {\n  image = \"x:1\"\n  config m {\n    file \"f\" = \"\"\"\n" +
                Repeat("      some text of a config file\n", 32768) + "      \"\"\"\n  }\n}\n";
       }},
      {"64 kB name", [] { return "component " + std::string(1 << 16, 'a') + " { image = \"x:1\" }\n"; }},
      {"100k + terms", [=] {
         std::string s = "1";
         for (size_t i = 1; i < k100; ++i) s += "+1";
         return WithValue("replicas", s);
       }},
      {"10k-deep - - - x", [] { return WithValue("replicas", Repeat("- ", 10000) + "x"); }},
      {"10k-deep ----x", [] { return WithValue("replicas", Repeat("-", 10000) + "x"); }},
      {"\"${ nested 1000 deep, unclosed", [] { return WithValue("image", Repeat("\"${", 1000)); }},
      {"\"${ nested 1000 deep, closed", [] { return WithValue("image", Repeat("\"${", 1000) + "1" + Repeat("}\"", 1000)); }},
      {"20k ${1} interpolations", [] { return WithValue("image", "\"" + Repeat("${1}", 20000) + "\""); }},
      {"only NUL bytes", [] { return std::string(65536, '\0'); }},
      {"NUL in a string and a comment", [] {
         using namespace std::string_literals;
         return "// a\0b\ncomponent c {\n  image = \"x\0:1\"\n}\n"s;
       }},
      {"invalid UTF-8: 0xff", [] { return WithValue("image", "\"\xff\""); }},
      {"invalid UTF-8: lone continuation", [] { return "component c\x80 { image = \"x:1\" }\n"; }},
      {"invalid UTF-8: overlong NUL", [] { return WithValue("image", "\"\xc0\x80\""); }},
      {"invalid UTF-8: surrogate", [] { return "// \xed\xa0\x80\n" + WithValue("image", "\"x:1\""); }},
      {"invalid UTF-8: surrogate where a field should be", [] {
         return "component c {\n  image = \"x:1\"\n  \xed\xa0\x80\n}\n";
       }},
      {"invalid UTF-8: overlong 3-byte form in a string", [] { return WithValue("image", "\"\xe0\x80\xaf\""); }},
      {"invalid UTF-8: above U+10FFFF in a comment", [] { return "// \xf4\x90\x80\x80\n" + WithValue("image", "\"x:1\""); }},
      {"invalid UTF-8: truncated at the end", [] { return WithValue("image", "\"x:1\"") + "// \xe2\x82"; }},
      {"invalid UTF-8: in a block string", [] {
         return "component c {\n  image = \"x:1\"\n  config m { file \"f\" = \"\"\"\n    \xfe\xfe\n    \"\"\" }\n}\n";
       }},
      {"random bytes", [] {
         Rng rng(BaseSeed());
         std::string s(1 << 16, '\0');
         for (char& c : s) c = static_cast<char>(rng.Below(256));
         return s;
       }},
      {"100k /*", [=] { return Repeat("/*", k100); }},
      {"1M newlines", [] { return std::string(1 << 20, '\n'); }},
      {"20k-item list", [] {
         std::string s = "[1";
         for (size_t i = 1; i < 20000; ++i) s += ",1";
         return "component c {\n  image = \"x:1\"\n  let l = " + s + "]\n}\n";
       }},
      {"50k-link call chain", [] { return WithValue("replicas", "f" + Repeat("()", 50000)); }},
      {"50k-link field chain", [] { return WithValue("replicas", "f" + Repeat(".a", 50000)); }},
      {"range of 10^18 elements", [] { return WithValue("args", "[for i in 0..1000000000000000000: \"x\"]"); }},
      {"5000 errors", [] { return "component c {\n" + Repeat("  image = 1\n", 5000) + "}\n"; }},
      {"1000 duplicate components", [] { return Repeat("component c { image = \"x:1\" }\n", 1000); }},
  };
  return inputs;
}

// Inputs that once crashed or hung the compiler (deep blocks, `not` chains,
// long paths, values that double, quadratic records and scopes); kept apart
// from HostileInputs() so each regression names the fix it would undo.
// A component whose 40 `let`s each double the previous value, from `a0 = first`;
// `step` is a format string of the previous name's number ({0}).
std::string Doubling(std::string_view first, std::string_view step, std::string_view tail) {
  std::string s = "component c {\n  image = \"x:1\"\n  let a0 = " + std::string(first) + "\n";
  for (int i = 1; i <= 40; ++i) s += fmt::format("  let a{} = ", i) + fmt::format(fmt::runtime(step), i - 1) + "\n";
  return s + std::string(tail) + "}\n";
}

std::vector<Hostile> KnownBugInputs() {
  const size_t k100 = 100000, k20 = 20000, k50 = 50000;
  return {
      // Stack overflow in the parser: blocks nest through
      // block -> stmt -> path_stmt -> section_tail -> block, which the
      // kMaxNesting guard (counted on unary_expr only) never sees. ~1,700
      // levels crash a Debug build.
      {"100k nested section blocks a { a { ...", [=] {
         return "component c {\n  image = \"x:1\"\n  " + Repeat("a { ", k100) + Repeat("}", k100) + "\n}\n";
       }},
      // Stack overflow in the parser: not_level -> not_expr -> not_level does
      // not pass through unary_expr either. ~14,000 crash a Debug build.
      {"100k not not not ... true", [=] { return WithValue("replicas", Repeat("not ", k100) + "true"); }},
      // Stack overflow in ~Value(): `a.a.a....a = 1` builds a record nested as
      // deep as the path, and its destructor recurses. ~35,000 crash Debug.
      {"100k-segment path a.a.a = 1", [=] {
         std::string path = "a";
         for (size_t i = 1; i < k100; ++i) path += ".a";
         return "component c {\n  image = \"x:1\"\n  " + path + " = 1\n}\n";
       }},
      // Stack overflow in the parser and the checker: template parameter
      // types nest through type_ref -> type_arg -> type_ref, outside the
      // kMaxNesting guard. 200,000 levels crash a Release build.
      {"100k nested parameter types list[list[...]]", [=] {
         return "template t(a: " + Repeat("list[", k100) + "int" + Repeat("]", k100) + ") { image = \"x:1\" }\n";
       }},
      // Deep chains of imports are refused, not followed: a file importing
      // itself is a cycle, not a recursion.
      {"a file that imports itself", [] { return std::string("import \"./hostile.kstate\"\n"); }},
      // Templates instantiated many times, each merging overrides (2,000:
      // the whole contract takes seconds per thousand under the sanitizers).
      {"2k template instances with overrides", [=] {
         std::string s = "template t(n: int) {\n  image = \"x:1\"\n  replicas = n\n  resources { cpu = 1 }\n}\n";
         for (size_t i = 0; i < 2000; ++i) {
           s += "component c" + std::to_string(i) + " : t(n: 1) { resources { memory = 1Gi } }\n";
         }
         return s;
       }},
      // No bound on the total size of values: each `let` doubles.
      {"string doubling 2^40", [] { return Doubling("\"xx\"", "a{0} + a{0}", "  labels = { a: a40 }\n"); }, false, 60},
      {"list doubling 2^40", [] { return Doubling("[1, 2]", "a{0} + a{0}", ""); }, false, 60},
      {"record doubling 2^40", [] { return Doubling("{x: 1}", "{{x: a{0}, y: a{0}}}", ""); }, false, 60},
      // The separator of `join` was not counted: 100,000 copies of 512 kB
      // built 50 GB (std::bad_alloc, an abort).
      {"join with a 512 kB separator", [] {
         std::string s = "component c {\n  image = \"x:1\"\n  let s0 = \"aaaaaaaa\"\n";
         for (int i = 1; i <= 16; ++i) s += fmt::format("  let s{} = s{} + s{}\n", i, i - 1, i - 1);
         return s + "  env { X = len(join(range(100000), s16)) }\n}\n";
       }, false, 60},
      // `to - from` overflowed for bounds far apart: undefined behaviour
      // (which UBSan reports), and a `kstatec` built with -O3 went on to
      // build the list past the 100,000-element cap until memory ran out.
      {"range(-2^63 + 1, 2^63 - 1)", [] {
         return WithValue("args", "[\"${len(range(-9223372036854775807, 9223372036854775807))}\"]");
       }},
      {"for over -2^63 + 1 .. 2^63 - 1", [] {
         return WithValue("args", "[for i in -9223372036854775807 .. 9223372036854775807: \"${i}\"]");
       }},
      // `or` and `and` chains were evaluated recursively, so 258 flat terms
      // were "nested more than 256 levels deep".
      {"100k-term flat or chain",
       [=] { return WithValue("args", "[\"${" + Repeat("false or ", k100) + "true}\"]"); }, true},
      {"100k-term flat and chain",
       [=] { return WithValue("args", "[\"${" + Repeat("true and ", k100) + "true}\"]"); }, true},
      {"nested comprehensions 10^5 x 10^5", [] {
         return "component c {\n  image = \"x:1\"\n  let x = [for i in 0..100000: [for j in 0..100000: \"x\"]]\n}\n";
       }, false, 60},
      // Quadratic time: records and blocks look keys up linearly
      // (Value::Get / Value::Set, Evaluator::ExecStmt). 10k entries take 1-10 s
      // in a Debug build, 20k four times that, 50k 25 times.
      {"20k-entry record literal", [=] {
         std::string s = "{k0: \"v\"";
         for (size_t i = 1; i < k20; ++i) s += ", k" + std::to_string(i) + ": \"v\"";
         return WithValue("labels", s + "}");
       }, false, 60},
      {"50k let statements in a component", [=] {
         std::string s = "component c {\n  image = \"x:1\"\n";
         for (size_t i = 0; i < k50; ++i) s += "  let x" + std::to_string(i) + " = " + std::to_string(i) + "\n";
         return s + "}\n";
       }, false, 60},
      {"50k unknown fields", [=] {
         std::string s = "component c {\n  image = \"x:1\"\n";
         for (size_t i = 0; i < k50; ++i) s += "  f" + std::to_string(i) + " = " + std::to_string(i) + "\n";
         return s + "}\n";
       }, false, 60},
  };
}

std::vector<Job> HostileJobs(const std::vector<Hostile>& inputs) {
  std::vector<Job> jobs;
  for (const Hostile& h : inputs) {
    Job job;
    job.label = "hostile input: " + h.name;
    job.path = "hostile.kstate";
    job.count = 1;
    job.input = [make = h.make](size_t) { return make(); };
    job.timeout = h.timeout;
    job.expect_ok = h.expect_ok;
    job.depth = h.depth;
    jobs.push_back(std::move(job));
  }
  return jobs;
}

}  // namespace

TEST_CASE("robustness: the corpus is there", "[robustness]") {
  // Guards the tests below against passing vacuously.
  REQUIRE(Corpus().size() >= 1);
  for (const CorpusFile& f : Corpus()) CHECK_FALSE(f.text.empty());
}

TEST_CASE("robustness: no input crashes or hangs the compiler", "[robustness]") {
  // One pool for everything, so that the 5 MB input (the longest job) runs
  // beside the rest instead of after it: hostile inputs first, then every
  // prefix, then the mutations.
  size_t stride = 1;
  std::vector<Job> jobs = HostileJobs(HostileInputs());
  std::vector<Job> prefixes = PrefixJobs(stride);
  std::vector<Job> mutations = MutationJobs();
  size_t prefix_count = 0, mutation_count = 0;
  for (const Job& j : prefixes) prefix_count += j.count;
  for (const Job& j : mutations) mutation_count += j.count;
  std::move(prefixes.begin(), prefixes.end(), std::back_inserter(jobs));
  std::move(mutations.begin(), mutations.end(), std::back_inserter(jobs));
  if (stride > 1) {
    WARN("the corpus (" << Corpus().size() << " files) is past the prefix budget: every " << stride
                        << "th offset is tried, " << prefix_count
                        << " in all (KSTATE_ROBUSTNESS_SCALE=" << stride << " tries them all)");
  }
  ReportFailures(RunJobs(jobs, Workers()));
  INFO(HostileInputs().size() << " hostile inputs, " << prefix_count << " prefixes, " << mutation_count
                              << " mutations over " << Corpus().size() << " files");
  SUCCEED();
}

TEST_CASE("robustness: inputs that once crashed or hung the compiler", "[robustness][regressions]") {
  ReportFailures(RunJobs(HostileJobs(KnownBugInputs()), Workers()));
}

TEST_CASE("robustness: kstatec check exits 0 or 1, with diagnostics on 1", "[robustness][process]") {
  const fs::path kstatec = kstate::testing::FindKstatec();
  if (kstatec.empty()) {
    WARN("kstatec not found beside the test binary (and KSTATEC is unset); skipping the process-level check");
    return;
  }
  const auto& corpus = Corpus();
  REQUIRE_FALSE(corpus.empty());
  std::error_code ec;
  const fs::path dir = fs::temp_directory_path() / ("kstate-robustness-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  // kProcessSamples mutated inputs, spread over the corpus: the i-th takes
  // file i mod |corpus| and one of its mutations (the same ones as above).
  const size_t mutations = MutationCount();
  bool all_passed = true;
  for (size_t i = 0; i < kProcessSamples; ++i) {
    const CorpusFile& f = corpus[(i * 7919) % corpus.size()];
    const size_t m = (i * 31) % mutations;
    const std::string text = Mutate(f.text, MutationSeed(f, m));
    const fs::path input = dir / ("sample-" + std::to_string(i) + ".kstate");
    {
      std::ofstream out(input, std::ios::binary | std::ios::trunc);
      out.write(text.data(), static_cast<std::streamsize>(text.size()));
    }
    kstate::testing::ProcessResult r =
        kstate::testing::RunProcess({kstatec.string(), "check", input.string(), "--color", "never"}, kInputTimeout);
    INFO("sample " << i << ": mutation " << m << " of " << f.rel << ", saved as " << input.string());
    INFO("kstatec check " << r.Describe() << "; stderr: " << Escape(r.err, 600));
    const bool exit_ok = r.exited() && (r.exit_code == 0 || r.exit_code == 1);
    CHECK(exit_ok);
    CHECK_FALSE(kstate::testing::HasSanitizerReport(r.err));
    if (r.exited() && r.exit_code == 1) {
      CHECK_FALSE(r.err.empty());
      // The text renderer ends with a summary line such as "1 error".
      CHECK(r.err.find("error") != std::string::npos);
    }
    all_passed &= exit_ok && !kstate::testing::HasSanitizerReport(r.err) && !(r.exit_code == 1 && r.err.empty());
  }
  if (all_passed) fs::remove_all(dir, ec);  // keep the inputs when something failed
}
