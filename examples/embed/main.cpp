// Embedding kstate: compile a component held in memory and list the objects
// it becomes. Build it with the project (target kstate_embed_example).
#include <cstdio>

#include "kstate/compiler.h"

int main() {
  kstate::Compilation c = kstate::Compilation::FromSources({{"inline.kstate", R"(
namespace "demo"

component cache {
  image    = "redis:7.4"
  replicas = 3
  port redis = 6379
  readiness = tcp(redis)
  resources { cpu = 250m; memory = 512Mi .. 512Mi }
  storage data { size = 1Gi; mount = "/data" }
}
)"}});
  if (!c.ok()) {
    std::fputs(c.DiagnosticsText({}).c_str(), stderr);
    return 1;
  }
  for (std::size_t i = 0; i < c.object_count(); ++i) {
    kstate::ObjectInfo o = c.object(i);
    std::printf("%s %s/%s\n", o.kind.c_str(), o.namespace_name.c_str(), o.name.c_str());
  }
  return 0;
}
