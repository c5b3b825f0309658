// Volumes: persistent storage (volumeClaimTemplates), config files
// (ConfigMaps), secret volumes and scratch (emptyDir) volumes, with the mounts
// they declare for the main container.
#include <fmt/format.h>

#include "compiler/base/text.h"
#include "compiler/check/interpret.h"
#include "compiler/check/schema.h"

namespace kstate::check {

using K = diag::Kind;

namespace {
const Value* AsSectionList(Reader& r, const Value& list, std::string_view head) {
  if (list.kind == ValueKind::List) return &list;
  diag::Diagnostic& d = r.diags().Report(K::TypeMismatch, list.range, fmt::format("`{}`", head),
                                         fmt::format("a named section `{} NAME {{ ... }}`", head), Describe(list));
  d.help = fmt::format("give the {} a name: `{} data {{ ... }}`", head, head);
  return nullptr;
}
}  // namespace

// `mount = "/path"` in a storage, secret or scratch section mounts it in the main container.
void ComponentBuilder::AddShorthandMount(const Value& section, const std::string& volume) {
  const Value* at = section.Get("mount");
  if (!at) return;
  Mount m;
  m.volume = volume;
  m.range = section.range;
  m.volume_range = section.KeyRange("name");
  if (!r_.String(*at, "`mount`", m.path)) return;
  m.path_range = at->range;
  if (const Value* s = section.Get("subPath"); s && r_.String(*s, "`subPath`", m.sub_path)) m.sub_path_range = s->range;
  if (const Value* ro = section.Get("readOnly")) r_.Bool(*ro, "`readOnly`", m.read_only);
  c_.main.mounts.push_back(std::move(m));
}

void ComponentBuilder::ReadStorage(const Value& list) {
  const Value* sections = AsSectionList(r_, list, "storage");
  if (!sections) return;
  for (const Value& s : sections->items) {
    Storage st;
    st.name = s.Get("name")->text;
    st.range = s.range;
    static const std::vector<std::string_view>& kKeys = schema::ComponentKeys("storage");
    r_.CheckKeys(s, base::Cat({"storage `", st.name, "`"}), kKeys);
    if (const Value* size = s.Get("size")) {
      st.size_range = size->range;
      r_.Bytes(*size, "storage size", st.size);
    } else {
      r_.diags().Report(K::MissingField, s.KeyRange("name"), fmt::format("storage `{}`", st.name), "size")
          .help = "add `size = 10Gi`";
    }
    st.access = {"ReadWriteOnce"};
    if (const Value* a = s.Get("access")) {
      st.access_range = a->range;
      std::span<const Value> modes = OneOrMany(*a);
      st.access.clear();
      for (const Value& mode : modes) {
        std::string m;
        static const std::span<const EnumWord> kWords = schema::ComponentWords("storage.access");
        if (r_.Enum(mode, "access mode", kWords, m)) st.access.push_back(m);
      }
    }
    if (const Value* cls = s.Get("class")) {
      std::string name;
      if (r_.String(*cls, "storage class", name)) {
        std::string why = base::CheckDns1123Subdomain(name);
        if (!why.empty()) r_.diags().Report(K::InvalidObjectName, cls->range, "storage class name", name, why);
        st.storage_class = name;
      }
    }
    if (const Value* l = s.Get("labels")) r_.Labels(*l, "storage labels", st.labels);
    if (const Value* a = s.Get("annotations")) r_.Annotations(*a, "storage annotations", st.annotations);
    AddShorthandMount(s, st.name);
    c_.storage.push_back(std::move(st));
  }
}

void ComponentBuilder::ReadConfigs(const Value& list) {
  const Value* sections = AsSectionList(r_, list, "config");
  if (!sections) return;
  for (const Value& s : sections->items) {
    Config cfg;
    cfg.name = s.Get("name")->text;
    cfg.range = s.range;
    cfg.object_name = cfg.name == c_.name ? c_.name : base::Cat({c_.name, "-", cfg.name});
    std::string where = base::Cat({"config `", cfg.name, "`"});
    static const std::vector<std::string_view>& kKeys = schema::ComponentKeys("config");
    r_.CheckKeys(s, where, kKeys);
    if (const Value* mode = s.Get("mode")) {
      int64_t n = 0;
      if (r_.FileMode(*mode, "file mode", n)) cfg.mode = n;
    }
    if (const Value* files = s.Get("file")) {
      for (const Value& f : files->items) {
        ConfigFile file;
        file.range = f.range;
        const Value& name = *f.Get("name");
        if (!r_.String(name, "the file name", file.name)) continue;
        bool bad = file.name.empty() || file.name.size() > 253 || file.name == "." || file.name == "..";
        for (char ch : file.name) bad = bad || !(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.');
        if (bad) {
          r_.diags().Report(K::InvalidObjectName, name.range, "config file name", file.name,
                            "it may contain only letters, digits, `-`, `_` and `.`");
        }
        const Value& content = *f.Get("content");
        // A file whose content is wrong (or already reported) is kept, empty,
        // so that its mounts do not report it missing.
        if (content.kind == ValueKind::String) file.content = content.text;
        else r_.MismatchText(content, fmt::format("the content of `{}`", file.name));
        for (const ConfigFile& other : cfg.files) {
          if (other.name == file.name) {
            diag::Diagnostic& d = r_.diags().Report(K::DuplicateName, name.range, "config file", file.name);
            d.notes.push_back({other.range, "first declared here"});
          }
        }
        cfg.files.push_back(std::move(file));
      }
      size_t total = 0;
      for (const ConfigFile& f : cfg.files) total += f.content.size();
      if (total > kMaxConfigMapBytes) {
        r_.diags()
            .Report(K::ObjectTooLarge, files->range, fmt::format("the files of config `{}`", cfg.name), total,
                    "1 MiB in a ConfigMap", kMaxConfigMapBytes)
            .help = "mount large files from storage, or split them across several configs";
      }
    }
    if (const Value* mounts = s.Get("mount")) {
      for (const Value& m : mounts->items) {
        Mount mount;
        mount.volume = cfg.name;
        mount.range = m.range;
        mount.volume_range = m.range;
        const Value* source = m.Get("source");
        if (source && source->kind == ValueKind::String) {  // mount "my.cnf" at "/etc/my.cnf": one file
          mount.sub_path = source->text;
          mount.volume_range = source->range;
          bool found = false;
          for (const ConfigFile& f : cfg.files) found = found || f.name == source->text;
          if (!found) {
            diag::Diagnostic& d = r_.diags().Report(K::ConfigFileUnknown, source->range, cfg.name, source->text);
            std::vector<std::string_view> names;
            for (const ConfigFile& f : cfg.files) names.push_back(f.name);
            diag::SuggestClosest(d, source->text, names);
          }
        } else if (source) {
          r_.diags().Report(K::TypeMismatch, source->range, "what a config's `mount` mounts",
                            "a quoted file name of this config, or nothing for the whole config", Describe(*source))
              .help = "write `mount \"file\" at \"/path\"` or `mount at \"/dir\"`";
          continue;
        }
        const Value* at = m.Get("at");
        if (at->kind == ValueKind::Record) {
          static const std::vector<std::string_view>& kMountKeys = schema::ComponentKeys("config.mount");
          r_.CheckKeys(*at, "`mount`", kMountKeys);
          if (const Value* ro = at->Get("readOnly")) r_.Bool(*ro, "`readOnly`", mount.read_only);
          at = at->Get("value");
        }
        if (at && r_.String(*at, "the mount path", mount.path)) {
          mount.path_range = at->range;
          c_.main.mounts.push_back(std::move(mount));
        }
      }
    }
    c_.configs.push_back(std::move(cfg));
  }
}

void ComponentBuilder::ReadSecrets(const Value& list) {
  const Value* sections = AsSectionList(r_, list, "secret");
  if (!sections) return;
  for (const Value& s : sections->items) {
    SecretVolume sv;
    sv.name = s.Get("name")->text;
    sv.secret_name = sv.name;
    sv.range = s.range;
    static const std::vector<std::string_view>& kKeys = schema::ComponentKeys("secret");
    r_.CheckKeys(s, base::Cat({"secret `", sv.name, "`"}), kKeys);
    if (const Value* n = s.Get("secretName")) r_.String(*n, "`secretName`", sv.secret_name);
    if (const Value* mode = s.Get("mode")) {
      int64_t n = 0;
      if (r_.FileMode(*mode, "file mode", n)) sv.mode = n;
    }
    if (const Value* items = s.Get("items")) r_.StringMap(*items, "`items`", sv.items);
    if (const Value* opt = s.Get("optional")) {
      bool b = false;
      if (r_.Bool(*opt, "`optional`", b)) sv.optional = b;
    }
    std::string why = base::CheckDns1123Subdomain(sv.secret_name);
    if (!why.empty()) {
      const Value* n = s.Get("secretName");
      r_.diags().Report(K::InvalidObjectName, n ? n->range : s.KeyRange("name"), "secret name", sv.secret_name, why);
    }
    AddShorthandMount(s, sv.name);
    c_.secrets.push_back(std::move(sv));
  }
}

void ComponentBuilder::ReadScratch(const Value& list) {
  const Value* sections = AsSectionList(r_, list, "scratch");
  if (!sections) return;
  for (const Value& s : sections->items) {
    Scratch sc;
    sc.name = s.Get("name")->text;
    sc.range = s.range;
    static const std::vector<std::string_view>& kKeys = schema::ComponentKeys("scratch");
    static const std::span<const EnumWord> kMedia = schema::ComponentWords("scratch.medium");
    r_.CheckKeys(s, base::Cat({"scratch `", sc.name, "`"}), kKeys);
    if (const Value* m = s.Get("medium")) r_.Enum(*m, "scratch medium", kMedia, sc.medium);
    if (const Value* size = s.Get("size")) {
      int64_t n = 0;
      if (r_.Bytes(*size, "scratch size", n)) sc.size = n;
    }
    AddShorthandMount(s, sc.name);
    c_.scratch.push_back(std::move(sc));
  }
}

}  // namespace kstate::check
