// The component model's tables: every field the checker accepts in a
// component and in each of its sections, in the order the checker lists them
// (its "did you mean" suggestions depend on that order).
#include <array>
#include <cstddef>

#include "compiler/check/schema.h"

namespace kstate::check::schema {

namespace {

constexpr FieldKind kValue = FieldKind::Value;
constexpr FieldKind kSection = FieldKind::Section;
constexpr FieldKind kNamed = FieldKind::NamedSection;
constexpr FieldKind kStatement = FieldKind::Statement;
constexpr std::span<const EnumWord> kNoWords;

template <size_t N, size_t M>
constexpr std::array<Field, N + M> Concat(const Field (&a)[N], const Field (&b)[M]) {
  std::array<Field, N + M> out{};
  for (size_t i = 0; i < N; ++i) out[i] = a[i];
  for (size_t i = 0; i < M; ++i) out[N + i] = b[i];
  return out;
}

// The tables are laid out by hand, one field per entry.
// clang-format off

// ---- enum words

constexpr EnumWord kOrderingWords[] = {
    {"ordered", "OrderedReady", "start pods one at a time in ordinal order, and stop them in reverse"},
    {"parallel", "Parallel", "start and stop all pods at once"},
};
constexpr EnumWord kUpdateWords[] = {
    {"rolling", "RollingUpdate", "replace pods one at a time, from the highest ordinal down"},
    {"onDelete", "OnDelete", "replace a pod only when it is deleted"},
};
constexpr EnumWord kRetentionWords[] = {
    {"retain", "Retain", "keep the claims"},
    {"delete", "Delete", "delete the claims"},
};
constexpr EnumWord kPullPolicyWords[] = {
    {"always", "Always", "pull on every start"},
    {"ifNotPresent", "IfNotPresent", "pull when the node does not have the image"},
    {"never", "Never", "never pull; the image must be on the node"},
    {"Always", "Always", "as `always`"},
    {"IfNotPresent", "IfNotPresent", "as `ifNotPresent`"},
    {"Never", "Never", "as `never`"},
};
constexpr EnumWord kRestartPolicyWords[] = {
    {"always", "Always", "a native sidecar, running beside the main container"},
    {"Always", "Always", "as `always`"},
};
constexpr EnumWord kProtocolWords[] = {
    {"TCP", "TCP", ""}, {"UDP", "UDP", ""}, {"SCTP", "SCTP", ""},
    {"tcp", "TCP", "as `TCP`"}, {"udp", "UDP", "as `UDP`"}, {"sctp", "SCTP", "as `SCTP`"},
};
constexpr EnumWord kSchemeWords[] = {
    {"HTTP", "HTTP", ""}, {"HTTPS", "HTTPS", "TLS, without verifying the certificate"},
    {"http", "HTTP", "as `HTTP`"}, {"https", "HTTPS", "as `HTTPS`"},
};
constexpr EnumWord kFsGroupChangePolicyWords[] = {
    {"OnRootMismatch", "OnRootMismatch", "change ownership only when the volume's root does not match"},
    {"Always", "Always", "change ownership on every mount"},
};
constexpr EnumWord kProcMountWords[] = {
    {"Default", "Default", "the runtime's default masking of /proc"},
    {"Unmasked", "Unmasked", "no masking of /proc"},
};
constexpr EnumWord kAccessWords[] = {
    {"ReadWriteOnce", "ReadWriteOnce", "read-write by one node"},
    {"ReadOnlyMany", "ReadOnlyMany", "read-only by many nodes"},
    {"ReadWriteMany", "ReadWriteMany", "read-write by many nodes (warns, KS3105)"},
    {"ReadWriteOncePod", "ReadWriteOncePod", "read-write by one pod"},
};
constexpr EnumWord kMediumWords[] = {
    {"disk", "", "the node's disk"},
    {"memory", "Memory", "a tmpfs in memory, counted against the container's memory"},
};
constexpr EnumWord kVerbWords[] = {
    {"get", "get", ""},       {"list", "list", ""},     {"watch", "watch", ""},
    {"create", "create", ""}, {"update", "update", ""}, {"patch", "patch", ""},
    {"delete", "delete", ""}, {"deletecollection", "deletecollection", ""},
    {"*", "*", "every verb"},
};
constexpr EnumWord kServiceTypeWords[] = {
    {"clusterIP", "ClusterIP", "reachable inside the cluster"},
    {"nodePort", "NodePort", "also on a port of every node"},
    {"loadBalancer", "LoadBalancer", "also through a cloud load balancer"},
};
constexpr EnumWord kTopologyWords[] = {
    {"hostname", "kubernetes.io/hostname", "one domain per node"},
    {"zone", "topology.kubernetes.io/zone", "one domain per zone"},
    {"region", "topology.kubernetes.io/region", "one domain per region"},
};
constexpr EnumWord kWhenUnsatisfiableWords[] = {
    {"doNotSchedule", "DoNotSchedule", "leave the pod pending"},
    {"scheduleAnyway", "ScheduleAnyway", "schedule it, preferring less skew"},
};
constexpr EnumWord kOperatorWords[] = {
    {"equal", "Equal", "the taint's value must equal `value`"},
    {"exists", "Exists", "any value of the taint"},
};
constexpr EnumWord kEffectWords[] = {
    {"noSchedule", "NoSchedule", ""},
    {"preferNoSchedule", "PreferNoSchedule", ""},
    {"noExecute", "NoExecute", ""},
};
constexpr EnumWord kDisruptionWords[] = {
    {"none", "", "no PodDisruptionBudget"},
};
constexpr EnumWord kPatchTargets[] = {
    {"statefulset", "StatefulSet", "the StatefulSet"},
    {"service", "Service", "the headless (governing) Service"},
    {"client", "Service", "the client Service, when the component has exactly one"},
    {"pdb", "PodDisruptionBudget", "the PodDisruptionBudget"},
    {"serviceaccount", "ServiceAccount", "the ServiceAccount of `serviceAccount { create = true }`"},
    {"configmap", "ConfigMap", "the ConfigMap, when the component has exactly one `config`"},
    {"role", "Role", "the Role of `serviceAccount { rules }`"},
    {"rolebinding", "RoleBinding", "the RoleBinding of `serviceAccount { rules }`"},
    {"clusterrole", "ClusterRole", "the ClusterRole of `serviceAccount { clusterRules }`"},
    {"clusterrolebinding", "ClusterRoleBinding", "the ClusterRoleBinding of `serviceAccount { clusterRules }`"},
};

// ---- the workload's sections

constexpr Field kRollingFields[] = {
    {"partition", kValue, "whole ≥ 0",
     "Only pods with an ordinal at or above it are updated, for staged rollouts (KS3108 when ≥ replicas).",
     "StatefulSet `spec.updateStrategy.rollingUpdate.partition`"},
    {"maxUnavailable", kValue, "whole ≥ 1 or `\"N%\"`",
     "How many pods may be down at once during an update (0 is KS3019); one at a time when unset.",
     "StatefulSet `spec.updateStrategy.rollingUpdate.maxUnavailable`"},
};
constexpr Section kRolling{"rolling", kRollingFields};

constexpr Field kDisruptionFields[] = {
    {"maxUnavailable", kValue, "whole ≥ 0 or `\"N%\"`; not with `minAvailable`",
     "How many pods an eviction may leave unavailable.", "PodDisruptionBudget `spec.maxUnavailable`"},
    {"minAvailable", kValue, "whole ≥ 0 or `\"N%\"`; not with `maxUnavailable`",
     "How many pods must stay available during evictions.", "PodDisruptionBudget `spec.minAvailable`"},
};
constexpr Section kDisruption{"disruption", kDisruptionFields};

constexpr Field kRetentionFields[] = {
    {"whenDeleted", kValue, "`retain` or `delete`",
     "What happens to the claims when the StatefulSet is deleted; `retain` when unset.",
     "StatefulSet `spec.persistentVolumeClaimRetentionPolicy.whenDeleted`", kRetentionWords},
    {"whenScaled", kValue, "`retain` or `delete`",
     "What happens to the claims of pods removed by scaling down; `retain` when unset.",
     "StatefulSet `spec.persistentVolumeClaimRetentionPolicy.whenScaled`", kRetentionWords},
};
constexpr Section kRetention{"retention", kRetentionFields};

// ---- scheduling records, built by `required`, `preferred`, `spread` and `toleration`

constexpr Field kTopology{
    "topology", kValue, "`hostname`, `zone`, `region` or a quoted node label key",
    "The node label whose values are the domains (KS3008 when empty, KS3009 when not a label key).", "`topologyKey`",
    kTopologyWords};

constexpr Field kAntiAffinityFields[] = {
    kTopology,
    {"weight", kValue, "whole, 1..100; `preferred` only", "How much the scheduler weighs this rule; 100 when unset.",
     "`preferredDuringSchedulingIgnoredDuringExecution[].weight`"},
};
constexpr Section kAntiAffinity{"antiAffinity", kAntiAffinityFields};

constexpr Field kSpreadFields[] = {
    kTopology,
    {"maxSkew", kValue, "whole ≥ 1", "How many more pods one domain may have than another; 1 when unset.",
     "`maxSkew`"},
    {"whenUnsatisfiable", kValue, "`doNotSchedule` or `scheduleAnyway`",
     "What the scheduler does when the skew cannot be kept; `doNotSchedule` when unset.", "`whenUnsatisfiable`",
     kWhenUnsatisfiableWords},
    {"minDomains", kValue, "whole ≥ 1", "How many domains count as available at least.", "`minDomains`"},
};
constexpr Section kSpread{"spread", kSpreadFields};

constexpr Field kTolerationFields[] = {
    {"key", kValue, "string", "The taint's key; every taint when unset.", "`key`"},
    {"value", kValue, "string", "The taint's value.", "`value`"},
    {"operator", kValue, "`equal` or `exists`", "How the value is matched; `equal` with a value, else `exists`.",
     "`operator`", kOperatorWords},
    {"effect", kValue, "`noSchedule`, `preferNoSchedule` or `noExecute`",
     "The taint effect tolerated; every effect when unset.",
     "`effect`", kEffectWords},
    {"seconds", kValue, "duration ≥ 0", "How long a pod stays on a node after a `noExecute` taint appears.",
     "`tolerationSeconds`"},
};
constexpr Section kToleration{"toleration", kTolerationFields};

// ---- containers: ports, mounts, resources, probes and security contexts

constexpr Field kSubPath{
    "subPath", kValue, "string, relative",
    "Mounts this path inside the volume instead of its root; it must stay inside the volume (KS3007).",
    "container `volumeMounts[].subPath`"};
constexpr Field kReadOnly{"readOnly", kValue, "bool", "Mounts the volume read-only.",
                          "container `volumeMounts[].readOnly`"};

constexpr Field kPortOptionFields[] = {
    {"protocol", kValue, "`TCP`, `UDP` or `SCTP` (or lower case)", "The port's protocol; `TCP` when unset.",
     "container `ports[].protocol`", kProtocolWords},
    {"expose", kValue, "bool", "Whether the port is listed on the component's Services; `true` when unset.",
     "the Services' `spec.ports[]`"},
};
constexpr Section kPortOptions{"port", kPortOptionFields, "value"};

constexpr Field kMountOptionFields[] = {kSubPath, kReadOnly};
constexpr Section kMountOptions{"mount", kMountOptionFields, "value"};

constexpr Field kResourceFields[] = {
    {"cpu", kValue, "cpu ≥ 0, or `request .. limit`", "Cores: `500m`, `2` or `0.25`.",
     "container `resources.requests.cpu` [, `limits.cpu`]"},
    {"memory", kValue, "bytes > 0, or `request .. limit`", "Memory: `512Mi`, `2Gi`.",
     "container `resources.requests.memory` [, `limits.memory`]"},
    {"ephemeral", kValue, "bytes > 0, or `request .. limit`", "Ephemeral (node-local) storage.",
     "container `resources.requests.ephemeral-storage` [, `limits.ephemeral-storage`]"},
};
constexpr Section kResources{"resources", kResourceFields};

constexpr Field kExec{"exec", kValue, "list of strings",
                      "The command the probe or hook runs, as `exec(...)` sets it; healthy when it exits 0.",
                      "`exec.command`"};
constexpr Field kHttp{"http", kValue, "string: a path",
                      "The path of an HTTP GET, as `http(...)` sets it; healthy on a 2xx or 3xx answer.",
                      "`httpGet.path`"};
constexpr Field kHttpPort{"port", kValue, "port name or number, required with `http`", "The port of the HTTP GET.",
                          "`httpGet.port`"};
constexpr Field kScheme{"scheme", kValue, "`HTTP` or `HTTPS` (or lower case)", "The scheme of the HTTP GET.",
                        "`httpGet.scheme`", kSchemeWords};
constexpr Field kHost{"host", kValue, "string", "The host name of the HTTP GET; the pod's IP when unset.",
                      "`httpGet.host`"};
constexpr Field kHeaders{"headers", kValue, "strings", "Extra headers of the HTTP GET.", "`httpGet.httpHeaders[]`"};

constexpr Field kProbeFields[] = {
    kExec,
    kHttp,
    {"tcp", kValue, "port name or number", "The port a TCP connection is opened to, as `tcp(...)` sets it.",
     "`tcpSocket.port`"},
    {"grpc", kValue, "port name or number",
     "The port of a gRPC health check, as `grpc(...)` sets it; a name is written as its number.", "`grpc.port`"},
    kHttpPort,
    kScheme,
    kHost,
    kHeaders,
    {"service", kValue, "string", "The service name sent in the gRPC health check.", "`grpc.service`"},
    {"initialDelay", kValue, "duration ≥ 0", "How long after the container starts the first probe runs.",
     "`initialDelaySeconds`"},
    {"period", kValue, "duration ≥ 1s", "How often the probe runs.", "`periodSeconds`"},
    {"timeout", kValue, "duration ≥ 1s", "How long one probe may take.", "`timeoutSeconds`"},
    {"successThreshold", kValue, "whole ≥ 1; 1 for liveness and startup (KS3002)",
     "Successes in a row, after a failure, before the probe passes again.", "`successThreshold`"},
    {"failureThreshold", kValue, "whole ≥ 1", "Failures in a row before the probe fails.", "`failureThreshold`"},
    {"terminationGrace", kValue, "duration ≥ 1s; liveness and startup only",
     "The grace period of a pod stopped because this probe failed, instead of the pod's own.",
     "`terminationGracePeriodSeconds`"},
};
constexpr Section kProbe{"probe", kProbeFields};

constexpr Field kHookFields[] = {kExec, kHttp, kHttpPort, kScheme, kHost, kHeaders};
constexpr Section kHook{"hook", kHookFields};

constexpr Field kCapabilityFields[] = {
    {"add", kValue, "list of strings", "Linux capabilities to add, such as `NET_ADMIN`.", "`capabilities.add`"},
    {"drop", kValue, "list of strings", "Linux capabilities to drop, such as `ALL`.", "`capabilities.drop`"},
};
constexpr Section kCapabilities{"capabilities", kCapabilityFields};

constexpr Field kSeccompFields[] = {
    {"type", kValue, "`RuntimeDefault`, `Localhost` or `Unconfined`", "Which seccomp profile applies; copied as text.",
     "`seccompProfile.type`"},
    {"localhostProfile", kValue, "string", "The profile file on the node, with `type: Localhost`.",
     "`seccompProfile.localhostProfile`"},
};
constexpr Section kSeccomp{"seccompProfile", kSeccompFields};

constexpr Field kRunAsUser{"runAsUser", kValue, "whole ≥ 0", "The user id processes run as.",
                           "`securityContext.runAsUser`"};
constexpr Field kRunAsGroup{"runAsGroup", kValue, "whole ≥ 0", "The primary group id processes run as.",
                            "`securityContext.runAsGroup`"};
constexpr Field kRunAsNonRoot{"runAsNonRoot", kValue, "bool", "Refuses to start a container that would run as root.",
                              "`securityContext.runAsNonRoot`"};
constexpr Field kSeccompProfile{"seccompProfile", kValue, "record `{ type, localhostProfile }`",
                                "The seccomp profile of the processes.", "`securityContext.seccompProfile`", kNoWords,
                                &kSeccomp};
constexpr Field kSeLinuxOptions{"seLinuxOptions", kValue, "record", "SELinux labels, copied as written.",
                                "`securityContext.seLinuxOptions`"};

constexpr Field kPodSecurityFields[] = {
    kRunAsUser,
    kRunAsGroup,
    kRunAsNonRoot,
    {"fsGroup", kValue, "whole ≥ 0", "The group that owns the volumes, and a supplementary group of every process.",
     "pod `securityContext.fsGroup`"},
    {"fsGroupChangePolicy", kValue, "`OnRootMismatch` or `Always`", "When volume ownership is changed to `fsGroup`.",
     "pod `securityContext.fsGroupChangePolicy`", kFsGroupChangePolicyWords},
    {"supplementalGroups", kValue, "list of whole numbers", "Extra group ids of every process.",
     "pod `securityContext.supplementalGroups`"},
    kSeccompProfile,
    {"sysctls", kValue, "list of `{ name, value }` records", "Namespaced kernel parameters of the pod.",
     "pod `securityContext.sysctls`"},
    kSeLinuxOptions,
};
constexpr Section kPodSecurity{"securityContext", kPodSecurityFields};

constexpr Field kContainerSecurityFields[] = {
    kRunAsUser,
    kRunAsGroup,
    kRunAsNonRoot,
    {"readOnlyRootFilesystem", kValue, "bool", "Mounts the container's root filesystem read-only.",
     "container `securityContext.readOnlyRootFilesystem`"},
    {"allowPrivilegeEscalation", kValue, "bool", "Whether a process may gain more privileges than its parent.",
     "container `securityContext.allowPrivilegeEscalation`"},
    {"privileged", kValue, "bool", "Runs the container privileged, with the host's devices.",
     "container `securityContext.privileged`"},
    {"capabilities", kValue, "record `{ add, drop }`", "Linux capabilities added and dropped.",
     "container `securityContext.capabilities`", kNoWords, &kCapabilities},
    kSeccompProfile,
    {"procMount", kValue, "`Default` or `Unmasked`", "How /proc is masked.", "container `securityContext.procMount`",
     kProcMountWords},
    kSeLinuxOptions,
};
constexpr Section kContainerSecurity{"containerSecurityContext", kContainerSecurityFields};

constexpr Section kEnv{"env", {}, {}, true};

// Fields every container has: the main one (the component), sidecars and init containers.
constexpr Field kImage{"image", kValue, "string, required (KS2007)",
                       "The container image, `registry/name:tag`; checked as an image reference (KS2018), and "
                       "`:latest` or no tag warns (KS3101).",
                       "container `image`"};
constexpr Field kCommand{
    "command", kValue, "list of strings",
    "The command the container runs instead of the image's entrypoint, each argument its own string.",
    "container `command`"};
constexpr Field kArgs{"args", kValue, "list of strings", "Arguments to the command or the image's entrypoint.",
                      "container `args`"};
constexpr Field kWorkingDir{"workingDir", kValue, "string", "The directory the command runs in.",
                            "container `workingDir`"};
constexpr Field kPullPolicy{"pullPolicy", kValue, "`always`, `ifNotPresent` or `never` (or `Always`, ...)",
                            "When the image is pulled.", "container `imagePullPolicy`", kPullPolicyWords};
constexpr Field kPort{"port", kStatement, "statement `port NAME = N`, N in 1..65535",
                      "Declares a container port; options go in a block: `port dns = 53 { protocol = UDP }`.",
                      "container `ports[]`, and the Services' ports", kNoWords, &kPortOptions};
constexpr Field kEnvField{"env", kSection, "section or record",
                          "Environment variables, one per field, in order: text, a number, a byte size, a boolean, "
                          "`secret(...)`, `configMap(...)`, `field(...)` or `resource(...)`.",
                          "container `env[]`", kNoWords, &kEnv};
constexpr Field kEnvFrom{"envFrom", kValue, "`secret(name)` / `configMap(name)`, or a list of them",
                         "Every key of a Secret or ConfigMap as a variable, with an optional `prefix`.",
                         "container `envFrom[]`"};
constexpr Field kResourcesField{
    "resources", kSection, "section",
    "The container's cpu, memory and ephemeral storage, each a request or `request .. limit`.", "container `resources`",
    kNoWords, &kResources};
constexpr Field kLiveness{"liveness", kValue, "probe: `exec(...)`, `http(...)`, `tcp(...)` or `grpc(...)`",
                          "The container is restarted when this probe fails.", "container `livenessProbe`", kNoWords,
                          &kProbe};
constexpr Field kReadiness{
    "readiness", kValue, "probe: `exec(...)`, `http(...)`, `tcp(...)` or `grpc(...)`",
    "The pod gets traffic only while this probe passes; the main container warns without one (KS3102).",
    "container `readinessProbe`", kNoWords, &kProbe};
constexpr Field kStartup{"startup", kValue, "probe: `exec(...)`, `http(...)`, `tcp(...)` or `grpc(...)`",
                         "Holds the other probes off until it passes once, for slow starts.",
                         "container `startupProbe`", kNoWords, &kProbe};
constexpr Field kPreStop{"preStop", kValue, "hook: `exec(...)` or `http(...)`", "Runs before the container is stopped.",
                         "container `lifecycle.preStop`", kNoWords, &kHook};
constexpr Field kPostStart{"postStart", kValue, "hook: `exec(...)` or `http(...)`",
                           "Runs right after the container starts.",
                           "container `lifecycle.postStart`", kNoWords, &kHook};
constexpr Field kMount{"mount", kStatement, "statement `mount NAME at PATH`",
                       "Mounts the storage, config, secret or scratch volume NAME at an absolute path; options "
                       "go in a block: `{ subPath = \"x\"; readOnly = true }`.",
                       "container `volumeMounts[]`", kNoWords, &kMountOptions};

constexpr Field kSidecarFields[] = {
    kImage, kCommand, kArgs, kWorkingDir, kPullPolicy, kPort, kEnvField, kEnvFrom, kResourcesField,
    kLiveness, kReadiness, kStartup, kPreStop, kPostStart, kMount,
    {"securityContext", kValue, "record", "The container's security settings, copied as written.",
     "container `securityContext`", kNoWords, &kContainerSecurity},
};
constexpr Section kSidecar{"container", kSidecarFields, "name"};
constexpr Field kRestartPolicy[] = {
    {"restartPolicy", kValue, "`always` (or `Always`)",
     "Makes the init container a native sidecar that runs beside the main container; probes and hooks need it.",
     "init container `restartPolicy`", kRestartPolicyWords},
};
constexpr auto kInitFields = Concat(kSidecarFields, kRestartPolicy);
constexpr Section kInit{"init", kInitFields, "name"};

// ---- volumes

constexpr Field kShorthandMount{"mount", kValue, "string: an absolute path",
                                "Mounts the volume at this path in the main container.", "container `volumeMounts[]`"};
constexpr Field kMode{"mode", kValue, "whole, 0..0o777, in octal", "The permissions of the volume's files: `0o644`.",
                      "volume `defaultMode`"};
// In `storage` and `client`: on the claim template or the Service the section generates.
constexpr Field kLabels{"labels", kValue, "labels", "Labels on the object the section generates.", "`metadata.labels`"};
constexpr Field kAnnotations{"annotations", kValue, "strings", "Annotations on the object the section generates.",
                             "`metadata.annotations`"};

constexpr Field kStorageFields[] = {
    {"size", kValue, "bytes, required (KS2007)", "The size each pod's claim requests.",
     "`volumeClaimTemplates[].spec.resources.requests.storage`"},
    {"access", kValue, "`ReadWriteOnce`, `ReadOnlyMany`, `ReadWriteMany`, `ReadWriteOncePod`, or a list",
     "How the volume may be mounted; `ReadWriteOnce` when unset.", "`volumeClaimTemplates[].spec.accessModes`",
     kAccessWords},
    {"class", kValue, "string", "The storage class; the cluster's default when unset.",
     "`volumeClaimTemplates[].spec.storageClassName`"},
    kShorthandMount,
    kSubPath,
    kReadOnly,
    kLabels,
    kAnnotations,
};
constexpr Section kStorage{"storage", kStorageFields, "name"};

constexpr Field kConfigMountFields[] = {kReadOnly};
constexpr Section kConfigMount{"mount", kConfigMountFields, "value"};

constexpr Field kConfigFields[] = {
    {"file", kStatement, "statement `file \"NAME\" = TEXT`",
     "A file of the config: a key of the ConfigMap, holding the text.", "ConfigMap `data`"},
    {"mount", kStatement, "statement `mount at \"/dir\"` or `mount \"FILE\" at \"/path\"`",
     "Mounts the whole config as a directory, or one of its files, in the main container (KS3016 for an unknown file).",
     "container `volumeMounts[]`", kNoWords, &kConfigMount},
    kMode,
};
constexpr Section kConfig{"config", kConfigFields, "name"};

constexpr Field kSecretFields[] = {
    {"secretName", kValue, "string, a DNS-1123 subdomain", "The Secret to mount; the section's NAME when unset.",
     "`volumes[].secret.secretName`"},
    kMode,
    {"items", kValue, "strings: key → path", "Only these keys, each at its own path; all keys when unset.",
     "`volumes[].secret.items[]`"},
    {"optional", kValue, "bool", "Starts the pod even when the Secret does not exist.", "`volumes[].secret.optional`"},
    kShorthandMount,
    kSubPath,
    kReadOnly,
};
constexpr Section kSecret{"secret", kSecretFields, "name"};

constexpr Field kScratchFields[] = {
    {"medium", kValue, "`disk` or `memory`", "Where the volume lives; `disk` when unset.",
     "`volumes[].emptyDir.medium`",
     kMediumWords},
    {"size", kValue, "bytes", "The most the volume may hold.", "`volumes[].emptyDir.sizeLimit`"},
    kShorthandMount,
    kSubPath,
    kReadOnly,
};
constexpr Section kScratch{"scratch", kScratchFields, "name"};

// ---- identity and services

constexpr Field kRuleFields[] = {
    {"apiGroups", kValue, "list of strings; required with `resources`",
     "The API groups; `\"\"` is the core group (pods, services, endpoints, configmaps, ...).", "`rules[].apiGroups`"},
    {"resources", kValue, "list of strings", "Resource kinds in the plural; subresources as `pods/log`.",
     "`rules[].resources`"},
    {"verbs", kValue, "list of strings, required", "What the rule allows.", "`rules[].verbs`", kVerbWords},
    {"resourceNames", kValue, "list of strings", "Only these objects.", "`rules[].resourceNames`"},
    {"nonResourceURLs", kValue, "list of strings; `clusterRules` only",
     "URL paths such as `/metrics`, instead of `apiGroups` and `resources`.", "`rules[].nonResourceURLs`"},
};
constexpr Section kRule{"rule", kRuleFields};

constexpr Field kServiceAccountFields[] = {
    {"name", kValue, "string",
     "The account's name; the component's name with `create`, else the namespace's `default`.",
     "pod `serviceAccountName`"},
    {"create", kValue, "bool", "Generates the ServiceAccount; `false` when unset.", "a ServiceAccount"},
    {"automount", kValue, "bool", "Whether the account's token is mounted in the pods.",
     "`automountServiceAccountToken` of the pod and the ServiceAccount"},
    {"rules", kValue, "list of rules", "Rights in the component's namespace; needs `create = true` (KS3021).",
     "a Role and a RoleBinding", kNoWords, &kRule},
    {"clusterRules", kValue, "list of rules",
     "Rights across the cluster; needs `create = true` and a `namespace` declaration (KS3022).",
     "a ClusterRole and a ClusterRoleBinding", kNoWords, &kRule},
};
constexpr Section kServiceAccount{"serviceAccount", kServiceAccountFields};

constexpr Field kClientFields[] = {
    {"name", kValue, "string; not in a named section",
     "The Service's name; `<component>-client`, or `<component>-NAME` for `client NAME`.", "Service `metadata.name`"},
    {"type", kValue, "`clusterIP`, `nodePort` or `loadBalancer`", "How the Service is reached; `clusterIP` when unset.",
     "Service `spec.type`", kServiceTypeWords},
    {"ports", kValue, "a port name or a list of them",
     "The ports the Service offers; every exposed port when unset (KS2006 for an unknown name).",
     "Service `spec.ports`"},
    kLabels,
    kAnnotations,
    {"selector", kValue, "labels",
     "Labels added to the component's selector, so the Service reaches only the pods that carry them.",
     "Service `spec.selector`"},
};
constexpr Section kClient{"client", kClientFields};

constexpr Section kPatch{"patch", {}, "name", true};

// ---- the component

constexpr Field kComponentFields[] = {
    kImage, kCommand, kArgs, kWorkingDir, kPullPolicy,
    {"replicas", kValue, "whole, 0..2147483647", "How many pods the StatefulSet runs; 1 when unset.",
     "StatefulSet `spec.replicas`"},
    {"ordering", kValue, "`ordered` or `parallel`", "How pods are started and stopped; `ordered` when unset.",
     "StatefulSet `spec.podManagementPolicy`", kOrderingWords},
    {"update", kValue, "`rolling`, `rolling { ... }` or `onDelete`",
     "How pods are replaced when the pod template changes; `rolling` when unset.", "StatefulSet `spec.updateStrategy`",
     kUpdateWords, &kRolling},
    {"minReady", kValue, "duration ≥ 0", "How long a new pod must be ready before it counts as available.",
     "StatefulSet `spec.minReadySeconds`"},
    {"revisionHistory", kValue, "whole ≥ 0", "How many old revisions are kept for rolling back.",
     "StatefulSet `spec.revisionHistoryLimit`"},
    {"labels", kValue, "labels", "Labels on every object of the component and on its pods.",
     "`metadata.labels` of every object, and the pod template's labels"},
    {"annotations", kValue, "strings", "Annotations on every object of the component, not on its pods.",
     "`metadata.annotations` of every object"},
    {"podLabels", kValue, "labels", "Extra labels on the pods.", "pod template `metadata.labels`"},
    {"podAnnotations", kValue, "strings", "Annotations on the pods.", "pod template `metadata.annotations`"},
    {"selector", kValue, "labels", "Replaces the generated selector, to adopt an existing StatefulSet.",
     "StatefulSet `spec.selector.matchLabels`"},
    kPort, kEnvField, kEnvFrom, kResourcesField, kLiveness, kReadiness, kStartup, kPreStop, kPostStart, kMount,
    {"storage", kNamed, "named section `storage NAME { ... }`",
     "A persistent volume for each pod, claimed from a template named NAME.",
     "StatefulSet `spec.volumeClaimTemplates[]`", kNoWords, &kStorage},
    {"config", kNamed, "named section `config NAME { ... }`",
     "Files in a ConfigMap, `<component>-NAME` (`<component>` when NAME is the component's), mounted as volume NAME.",
     "a ConfigMap, and pod `volumes[].configMap`", kNoWords, &kConfig},
    {"secret", kNamed, "named section `secret NAME { ... }`", "A Secret, which must exist, mounted as volume NAME.",
     "pod `volumes[].secret`", kNoWords, &kSecret},
    {"scratch", kNamed, "named section `scratch NAME { ... }`", "A scratch volume NAME that lives as long as the pod.",
     "pod `volumes[].emptyDir`", kNoWords, &kScratch},
    {"container", kNamed, "named section `container NAME { ... }`",
     "A sidecar container after the main one; it takes the main container's fields.", "pod `containers[]`", kNoWords,
     &kSidecar},
    {"init", kNamed, "named section `init NAME { ... }`",
     "An init container, run to completion before the others, or a native sidecar with `restartPolicy = always`.",
     "pod `initContainers[]`", kNoWords, &kInit},
    {"retention", kSection, "section",
     "Whether the pods' claims are kept when the StatefulSet is deleted or scaled down.",
     "StatefulSet `spec.persistentVolumeClaimRetentionPolicy`", kNoWords, &kRetention},
    {"antiAffinity", kValue, "`required(topology)`, `preferred(topology, weight: N)`, or a list",
     "Keeps the component's pods apart, on different nodes or zones.", "pod `affinity.podAntiAffinity`", kNoWords,
     &kAntiAffinity},
    {"spread", kValue, "`spread(topology, ...)` or a list", "Spreads the component's pods evenly over a topology.",
     "pod `topologySpreadConstraints[]`", kNoWords, &kSpread},
    {"nodeSelector", kValue, "labels", "Runs the pods only on nodes with these labels.", "pod `nodeSelector`"},
    {"tolerations", kValue, "`toleration(...)` or a list", "Lets the pods run on nodes with matching taints.",
     "pod `tolerations[]`", kNoWords, &kToleration},
    {"priorityClass", kValue, "string", "The pods' PriorityClass.", "pod `priorityClassName`"},
    {"serviceAccount", kSection, "a name, or a section",
     "The pods' service account: a name, or `{ create = true }` for one of the component's own, with `rules`.",
     "pod `serviceAccountName`", kNoWords, &kServiceAccount},
    {"securityContext", kValue, "record", "The pod's security settings, copied as written.", "pod `securityContext`",
     kNoWords, &kPodSecurity},
    {"containerSecurityContext", kValue, "record", "The main container's security settings, copied as written.",
     "container `securityContext`", kNoWords, &kContainerSecurity},
    {"terminationGrace", kValue, "duration ≥ 0", "How long a pod may take to stop before it is killed.",
     "pod `terminationGracePeriodSeconds`"},
    {"imagePullSecrets", kValue, "list of strings", "Secrets with the credentials to pull the images.",
     "pod `imagePullSecrets[].name`"},
    {"publishNotReady", kValue, "bool",
     "Lists pods in DNS before they are ready, so peers find each other; `false` when unset.",
     "headless Service `spec.publishNotReadyAddresses`"},
    {"client", kSection, "`true`, `false`, a section, or named sections `client NAME { }`",
     "A Service for ordinary clients besides the headless one; one per named section.", "a Service", kNoWords,
     &kClient},
    {"disruption", kSection, "`none`, or a section with `maxUnavailable` or `minAvailable`",
     "The disruption budget; `maxUnavailable = 1` when replicas > 1, else none.", "a PodDisruptionBudget",
     kDisruptionWords, &kDisruption},
    {"serviceAnnotations", kValue, "strings", "Extra annotations on the headless Service.",
     "headless Service `metadata.annotations`"},
    {"dependsOn", kValue, "a component name, or a list of names",
     "Components applied and waited for before this one; nothing in the manifests (KS3010, KS3011).", ""},
    {"patch", kNamed, "named section `patch TARGET { ... }`",
     "Changes a generated object directly, for fields the model lacks: paths as in the object, merged like a JSON "
     "merge patch.",
     "the object TARGET names", kPatchTargets, &kPatch},
};
constexpr Section kComponent{"component", kComponentFields};

constexpr Field kNamespaceFields[] = {
    {"create", kValue, "bool", "Generates the Namespace object; `false` when unset.", "a Namespace"},
    {"labels", kValue, "labels", "Extra labels on that Namespace.", "Namespace `metadata.labels`"},
};
constexpr Section kNamespace{"namespace", kNamespaceFields};

// clang-format on

}  // namespace

const Section& Component() {
  return kComponent;
}
const Section& NamespaceOptions() {
  return kNamespace;
}

}  // namespace kstate::check::schema
