// Fixtures for the kube layer's tests: PEM test material (never used for any
// real cluster) and LoadOptions over a fake environment in a temp directory.
#pragma once

#include <map>
#include <string>

#include "runtime/kube/kubeconfig.h"
#include "tests/runtime/test_support.h"

namespace kstate::testing {

inline constexpr const char* kCaPem = R"(-----BEGIN CERTIFICATE-----
MIIBijCCAS+gAwIBAgIUQdcTGPE6E0QAgx/44gLTjTy7suIwCgYIKoZIzj0EAwIw
GTEXMBUGA1UEAwwOa3N0YXRlLXRlc3QtY2EwIBcNMjYxMTI0MDExMzE4WhgPMjEy
NjEwMzEwMTEzMThaMBkxFzAVBgNVBAMMDmtzdGF0ZS10ZXN0LWNhMFkwEwYHKoZI
zj0CAQYIKoZIzj0DAQcDQgAEsC+n+BKarm0L42W0EMTJ5+APMbJDHO0b0tOn8J24
YGL9RO1o0UzSlE+jyboAdFHAmxNxoIANNm29841zf726taNTMFEwHQYDVR0OBBYE
FCPltqV8J94dk7wn+EGTCIVZ9KG/MB8GA1UdIwQYMBaAFCPltqV8J94dk7wn+EGT
CIVZ9KG/MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSQAwRgIhAMlmxmzB
vhfhfvTes/xmrbEMe3p1PIH4cxiYGQ+8/AMfAiEAno9wvBFWGfhzjhIAfp2hZMRe
yUjT6HJUVMLBlN5eYUI=
-----END CERTIFICATE-----
)";

inline constexpr const char* kClientCertPem = R"(-----BEGIN CERTIFICATE-----
MIIBjTCCATOgAwIBAgIUdozL3lxv8SAP+IKc00xtgMzASXQwCgYIKoZIzj0EAwIw
GzEZMBcGA1UEAwwQa3N0YXRlLXRlc3QtdXNlcjAgFw0yNjExMjQwMTEzMThaGA8y
MTI2MTAzMTAxMTMxOFowGzEZMBcGA1UEAwwQa3N0YXRlLXRlc3QtdXNlcjBZMBMG
ByqGSM49AgEGCCqGSM49AwEHA0IABK7+38O+SMj1v7HKsxpKKZcHlFh0bArKI6pD
vnD14zofcYvq2wAjDdyPUFxJJQa4dBoiR9imT0KQFx8venuQ+bajUzBRMB0GA1Ud
DgQWBBTmN1fWZHgQNWUpnx3sj9JY4M8lSjAfBgNVHSMEGDAWgBTmN1fWZHgQNWUp
nx3sj9JY4M8lSjAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIAgQ
lq+F7wbjfrWEmnE5TMkozGLf8crr/2bm8oOKmoSuAiEA0mZi7bwvMTVQO52LLQZ4
/ASOXhOoWY4y3c0albmm8fw=
-----END CERTIFICATE-----
)";

inline constexpr const char* kClientKeyPem = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgWoZ9aKHuX0Gz6C9K
IiuieCXISQlYzG+wTmwKi6fcs16hRANCAASu/t/DvkjI9b+xyrMaSimXB5RYdGwK
yiOqQ75w9eM6H3GL6tsAIw3cj1BcSSUGuHQaIkfYpk9CkBcfL3p7kPm2
-----END PRIVATE KEY-----
)";

// The CA's key: a valid key that does not match kClientCertPem.
inline constexpr const char* kOtherKeyPem = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgSR8nThQYIzUwTuOV
cZzURCYxAXuNZINzlI5EquM6VaehRANCAASwL6f4EpqubQvjZbQQxMnn4A8xskMc
7RvS06fwnbhgYv1E7WjRTNKUT6PJugB0UcCbE3GggA02bb3zjXN/vbq1
-----END PRIVATE KEY-----
)";

// LoadOptions whose environment is `env` (plus HOME inside `dir`) and whose
// in-cluster root is `dir`/sa, so nothing of the real machine leaks in.
inline runtime::kube::LoadOptions OptionsIn(const TempDir& dir, std::map<std::string, std::string> env = {}) {
  env.emplace("HOME", dir / "home");
  runtime::kube::LoadOptions options;
  options.getenv = [env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  options.in_cluster_root = dir / "sa";
  return options;
}

// The message of the KubeconfigError that loading throws, or "" when it loads.
inline std::string LoadError(const runtime::kube::LoadOptions& options) {
  try {
    runtime::kube::LoadClusterAccess(options);
  } catch (const runtime::kube::KubeconfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace kstate::testing
