#pragma once
// A fresh directory per test, removed with everything in it when the test ends. Set
// HANGAR_KEEP_TEMP=1 to keep it for a post-mortem (its path is printed then).
#include <string>

namespace hangar::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Whole-file helpers for test files; read_file returns "" for a missing file.
std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& content);

}  // namespace hangar::test
