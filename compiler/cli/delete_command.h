// `kstatec delete`: remove a compiled file's objects from the cluster in
// reverse apply order, keeping the StatefulSets' claims (the data) unless
// `--delete-data` is given and confirmed. Part of `kstatec-cluster`.
#pragma once

#include "cluster_flags.h"

namespace kstate::cli {

// Returns the exit code: 0 deleted, 1 an error or a refusal, 2 bad usage.
int RunDelete(const DeleteOptions& options);

}  // namespace kstate::cli
