// Interpretation: from a component's evaluated record to the typed Component,
// checking every field's type, unit, range and spelling on the way.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "compiler/check/convert.h"
#include "compiler/check/model.h"

namespace kstate::check {

class ComponentBuilder {
 public:
  ComponentBuilder(Reader& reader, Component& component) : r_(reader), c_(component) {}
  void Build(const Value& record);

 private:
  // interpret_container.cpp
  void ReadContainer(const Value& record, Container& out, std::string_view where, bool is_main);
  void ReadPorts(const Value& list, Container& out);
  void ReadEnv(const Value& record, Container& out);
  void ReadEnvFrom(const Value& list, Container& out);
  void ReadResources(const Value& record, Resources& out);
  std::optional<Probe> ReadProbe(const Value& v, std::string_view what, bool hook);
  std::optional<Probe> ReadProbeFields(const Value& v, std::string_view what, bool hook);
  void ReadMounts(const Value& list, std::vector<Mount>& out);
  std::optional<Value> ReadSecurityContext(const Value& v, std::string_view what, bool pod);
  // interpret_volumes.cpp
  void ReadStorage(const Value& list);
  void ReadConfigs(const Value& list);
  void ReadSecrets(const Value& list);
  void ReadScratch(const Value& list);
  void AddShorthandMount(const Value& section, const std::string& volume);
  // interpret_services.cpp
  void ReadServiceAccount(const Value& v);
  void ReadRules(const Value& v, std::string_view field, bool cluster, std::vector<RbacRule>& out);
  void ReadClients(const Value& v);
  void ReadClient(const Value& v, std::string name, bool named);
  // interpret_component.cpp
  void ReadUpdate(const Value& v);
  void ReadAntiAffinity(const Value& v);
  void ReadSpread(const Value& v);
  void ReadTolerations(const Value& v);
  void ReadDisruption(const Value& v);
  void ReadRetention(const Value& v);
  void ReadPatches(const Value& v);
  bool CheckPatchValue(const Value& v, const std::string& path);
  void CheckGeneratedLabels(const Value& rec);
  // The keys of the selector: the component's `selector`, or the generated pair
  // (views into the component or constants).
  std::vector<std::string_view> SelectorKeys() const;
  bool ReadTopology(const Value& v, std::string& key);

  Reader& r_;
  Component& c_;
};

}  // namespace kstate::check
