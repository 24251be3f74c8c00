#pragma once
// A SQLite VFS for power-loss tests. A killed process cannot show a missing fsync, because the
// page cache outlives it; a machine losing power can. This VFS wraps the default one and keeps
// every write and truncation of a file in memory until SQLite syncs that file (xSync): only then
// does it reach the real file. Reads see the pending writes, as they would see the page cache.
// cut_power() throws away whatever was not synced and ignores every write after it, so the
// files on disk are what a machine would find after the power came back.
//
// While it lives it is SQLite's default VFS, for every connection the process opens; memory-mapped
// I/O is off for its files (reads must go through it). One at a time.
#include <string>

namespace hangar::test {

class PowerCutVfs {
 public:
  PowerCutVfs();   // registers itself as the default VFS
  ~PowerCutVfs();  // unregisters; the previous default is the default again
  PowerCutVfs(const PowerCutVfs&) = delete;
  PowerCutVfs& operator=(const PowerCutVfs&) = delete;

  void cut_power();
  // Writes and truncations waiting for a sync, over all files.
  std::size_t unsynced_operations() const;
};

}  // namespace hangar::test
