// The module graph that CMakeLists.txt declares (hangar_module) is the one the code follows: a
// module includes headers only of itself and of the modules it links, so a new dependency must be
// declared, where the configure step refuses a cycle. Reads build/module_graph.txt, written by
// hangar_check_module_graph().
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct Module {
  std::string dir;
  std::set<std::string> links;
};

std::map<std::string, Module> read_graph() {
  std::ifstream in(HANGAR_MODULE_GRAPH);
  REQUIRE(in.good());
  std::map<std::string, Module> modules;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string name, dir, link;
    if (!(words >> name >> dir)) continue;
    Module module{dir, {}};
    while (words >> link) module.links.insert(link);
    modules.emplace(name, std::move(module));
  }
  return modules;
}

// The module whose folder holds `path` (relative to the source root), or "" when none does.
std::string owner(const std::map<std::string, Module>& modules, const std::string& path) {
  std::string best;
  std::size_t best_length = 0;
  for (const auto& [name, module] : modules) {
    const auto prefix = module.dir + "/";
    if (path.compare(0, prefix.size(), prefix) == 0 && prefix.size() > best_length) {
      best = name;
      best_length = prefix.size();
    }
  }
  return best;
}

struct Include {
  std::string file;
  int line;
  std::string header;
};

std::vector<Include> project_includes(const fs::path& root, const std::string& dir) {
  static const std::regex include(R"(^\s*#\s*include\s*"([^"]+)\")");
  std::vector<Include> found;
  for (const auto& entry : fs::recursive_directory_iterator(root / dir)) {
    const auto extension = entry.path().extension();
    if (!entry.is_regular_file() || (extension != ".cpp" && extension != ".hpp")) continue;
    std::ifstream in(entry.path());
    std::string text;
    int number = 0;
    while (std::getline(in, text)) {
      ++number;
      std::smatch match;
      if (std::regex_search(text, match, include))
        found.push_back({fs::relative(entry.path(), root).string(), number, match[1]});
    }
  }
  return found;
}

}  // namespace

TEST_CASE("every module includes only its own headers and those of the modules it links") {
  const fs::path root = HANGAR_SOURCE_DIR;
  const auto modules = read_graph();
  REQUIRE(modules.size() >= 10);
  std::vector<std::string> violations;
  std::map<std::string, std::set<std::string>> included;  // module -> modules it includes
  for (const auto& [name, module] : modules) {
    for (const auto& include : project_includes(root, module.dir)) {
      const auto& file_owner = owner(modules, include.file);
      if (file_owner != name) continue;  // a nested module's file, checked as that module
      const auto target = owner(modules, include.header);
      const auto where = include.file + ":" + std::to_string(include.line) + " includes \"" +
                         include.header + "\"";
      if (target.empty())
        violations.push_back(where + ", which belongs to no module");
      else if (target != name && !module.links.count(target))
        violations.push_back(where + " of module " + target + ", which " + name +
                             " does not link (hangar_module in CMakeLists.txt)");
      else if (!fs::exists(root / include.header))
        violations.push_back(where + ", which does not exist");
      if (!target.empty() && target != name) included[name].insert(target);
    }
  }
  INFO([&] {
    std::string text;
    for (const auto& violation : violations) text += violation + "\n";
    return text;
  }());
  CHECK(violations.empty());

  // With every include declared, the include graph is a part of the declared one, which CMake
  // checked for cycles; walk it anyway, so this test alone proves it.
  std::map<std::string, int> state;  // 1 on the current path, 2 done
  std::vector<std::string> path;
  std::function<bool(const std::string&)> acyclic = [&](const std::string& module) {
    path.push_back(module);
    if (state[module] == 1) return false;
    if (state[module] == 0) {
      state[module] = 1;
      for (const auto& next : included[module])
        if (!acyclic(next)) return false;
      state[module] = 2;
    }
    path.pop_back();
    return true;
  };
  bool no_cycle = true;
  for (const auto& [name, module] : modules) no_cycle = no_cycle && acyclic(name);
  std::string cycle;
  for (const auto& step : path) cycle += (cycle.empty() ? "" : " -> ") + step;
  INFO("include cycle: " << cycle);
  CHECK(no_cycle);
}

TEST_CASE("every source file of the product belongs to a module") {
  const fs::path root = HANGAR_SOURCE_DIR;
  const auto modules = read_graph();
  std::vector<std::string> orphans;
  for (const char* top : {"platform", "actors", "storage", "sim"})
    for (const auto& entry : fs::recursive_directory_iterator(root / top)) {
      const auto extension = entry.path().extension();
      if (!entry.is_regular_file() || (extension != ".cpp" && extension != ".hpp")) continue;
      const auto path = fs::relative(entry.path(), root).string();
      if (owner(modules, path).empty()) orphans.push_back(path);
    }
  INFO([&] {
    std::string text;
    for (const auto& orphan : orphans) text += orphan + "\n";
    return text;
  }());
  CHECK(orphans.empty());
}

TEST_CASE("docs/ARCHITECTURE.md draws the module graph that CMake declares") {
  const fs::path root = HANGAR_SOURCE_DIR;
  std::set<std::string> declared;
  for (const auto& [name, module] : read_graph()) {
    declared.insert(name);
    for (const auto& link : module.links) declared.insert(name + " --> " + link);
  }
  std::ifstream doc(root / "docs" / "ARCHITECTURE.md");
  REQUIRE(doc.good());
  static const std::regex node(R"(^  (\w+)$)");
  static const std::regex edge(R"(^  (\w+) --> (\w+)$)");
  std::set<std::string> drawn;
  bool inside = false;
  std::string line;
  while (std::getline(doc, line)) {
    if (line.find("module-graph:begin") != std::string::npos) inside = true;
    if (line.find("module-graph:end") != std::string::npos) inside = false;
    std::smatch match;
    if (!inside) continue;
    if (std::regex_match(line, match, edge)) {
      drawn.insert(match[1].str());
      drawn.insert(match[1].str() + " --> " + match[2].str());
    } else if (std::regex_match(line, match, node)) {
      drawn.insert(match[1].str());
    }
  }
  INFO("run scripts/module_graph.sh to regenerate the graph");
  CHECK(drawn == declared);
}
