#include "tests/support/power_cut_vfs.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace hangar::test {
namespace {

// What was done to a file since its last sync, in order: a write (data at offset) or a
// truncation (to offset).
struct Operation {
  bool truncate = false;
  sqlite3_int64 offset = 0;
  std::string data;
};

// Shared by every handle on the same path, as the page cache is.
struct State {
  std::mutex mutex;
  std::map<std::string, std::vector<Operation>> unsynced;
  bool power_off = false;
  sqlite3_vfs* real = nullptr;
  sqlite3_vfs vfs{};
};
State state;

struct ShimFile {
  sqlite3_file base;  // first, so SQLite's pointer is ours
  sqlite3_file* real;
  std::string path;
};

ShimFile& shim(sqlite3_file* file) {
  return *reinterpret_cast<ShimFile*>(file);
}

sqlite3_int64 real_size(ShimFile& file) {
  sqlite3_int64 size = 0;
  file.real->pMethods->xFileSize(file.real, &size);
  return size;
}

// The file's size as a reader sees it: the real one, changed by what is pending.
sqlite3_int64 logical_size(ShimFile& file, const std::vector<Operation>& pending) {
  sqlite3_int64 size = real_size(file);
  for (const auto& op : pending)
    size = op.truncate ? op.offset
                       : std::max(size, op.offset + static_cast<sqlite3_int64>(op.data.size()));
  return size;
}

int shim_read(sqlite3_file* handle, void* buffer, int amount, sqlite3_int64 offset) {
  auto& file = shim(handle);
  std::lock_guard lock(state.mutex);
  auto* bytes = static_cast<char*>(buffer);
  std::memset(bytes, 0, static_cast<std::size_t>(amount));
  const int rc = file.real->pMethods->xRead(file.real, buffer, amount, offset);
  if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ) return rc;
  const auto& pending = state.unsynced[file.path];
  const sqlite3_int64 end = offset + amount;
  for (const auto& op : pending) {
    if (op.truncate) {
      if (op.offset < end)
        std::memset(bytes + std::max<sqlite3_int64>(op.offset - offset, 0), 0,
                    static_cast<std::size_t>(end - std::max(op.offset, offset)));
      continue;
    }
    const sqlite3_int64 from = std::max(op.offset, offset);
    const sqlite3_int64 to = std::min(op.offset + static_cast<sqlite3_int64>(op.data.size()), end);
    if (from < to)
      std::memcpy(bytes + (from - offset), op.data.data() + (from - op.offset),
                  static_cast<std::size_t>(to - from));
  }
  return end > logical_size(file, pending) ? SQLITE_IOERR_SHORT_READ : SQLITE_OK;
}

int shim_write(sqlite3_file* handle, const void* buffer, int amount, sqlite3_int64 offset) {
  auto& file = shim(handle);
  std::lock_guard lock(state.mutex);
  if (state.power_off) return SQLITE_OK;  // lost with the power
  state.unsynced[file.path].push_back(
      {false, offset,
       std::string(static_cast<const char*>(buffer), static_cast<std::size_t>(amount))});
  return SQLITE_OK;
}

int shim_truncate(sqlite3_file* handle, sqlite3_int64 size) {
  auto& file = shim(handle);
  std::lock_guard lock(state.mutex);
  if (!state.power_off) state.unsynced[file.path].push_back({true, size, {}});
  return SQLITE_OK;
}

int shim_sync(sqlite3_file* handle, int flags) {
  auto& file = shim(handle);
  std::lock_guard lock(state.mutex);
  if (state.power_off) return SQLITE_OK;
  auto& pending = state.unsynced[file.path];
  for (const auto& op : pending) {
    const int rc = op.truncate
                       ? file.real->pMethods->xTruncate(file.real, op.offset)
                       : file.real->pMethods->xWrite(file.real, op.data.data(),
                                                     static_cast<int>(op.data.size()), op.offset);
    if (rc != SQLITE_OK) return rc;
  }
  pending.clear();
  return file.real->pMethods->xSync(file.real, flags);
}

int shim_file_size(sqlite3_file* handle, sqlite3_int64* size) {
  auto& file = shim(handle);
  std::lock_guard lock(state.mutex);
  *size = logical_size(file, state.unsynced[file.path]);
  return SQLITE_OK;
}

int shim_close(sqlite3_file* handle) {
  auto& file = shim(handle);
  // What is pending stays pending: closing a file does not write the page cache to disk.
  const int rc = file.real->pMethods->xClose(file.real);
  sqlite3_free(file.real);
  file.path.~basic_string();
  return rc;
}

// The rest is the real file's.
int shim_lock(sqlite3_file* f, int level) {
  return shim(f).real->pMethods->xLock(shim(f).real, level);
}
int shim_unlock(sqlite3_file* f, int level) {
  return shim(f).real->pMethods->xUnlock(shim(f).real, level);
}
int shim_check_reserved(sqlite3_file* f, int* out) {
  return shim(f).real->pMethods->xCheckReservedLock(shim(f).real, out);
}
int shim_file_control(sqlite3_file* f, int op, void* arg) {
  if (op == SQLITE_FCNTL_MMAP_SIZE || op == SQLITE_FCNTL_SIZE_HINT) return SQLITE_NOTFOUND;
  return shim(f).real->pMethods->xFileControl(shim(f).real, op, arg);
}
int shim_sector_size(sqlite3_file* f) {
  return shim(f).real->pMethods->xSectorSize(shim(f).real);
}
int shim_device(sqlite3_file* f) {
  return shim(f).real->pMethods->xDeviceCharacteristics(shim(f).real);
}
int shim_shm_map(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  return shim(f).real->pMethods->xShmMap(shim(f).real, page, size, extend, out);
}
int shim_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  return shim(f).real->pMethods->xShmLock(shim(f).real, offset, n, flags);
}
void shim_shm_barrier(sqlite3_file* f) {
  shim(f).real->pMethods->xShmBarrier(shim(f).real);
}
int shim_shm_unmap(sqlite3_file* f, int delete_flag) {
  std::lock_guard lock(state.mutex);
  return shim(f).real->pMethods->xShmUnmap(shim(f).real, state.power_off ? 0 : delete_flag);
}

// Version 2: shared memory for WAL, and no xFetch, so reads never bypass the pending writes.
const sqlite3_io_methods shim_methods = {2,
                                         shim_close,
                                         shim_read,
                                         shim_write,
                                         shim_truncate,
                                         shim_sync,
                                         shim_file_size,
                                         shim_lock,
                                         shim_unlock,
                                         shim_check_reserved,
                                         shim_file_control,
                                         shim_sector_size,
                                         shim_device,
                                         shim_shm_map,
                                         shim_shm_lock,
                                         shim_shm_barrier,
                                         shim_shm_unmap,
                                         nullptr,
                                         nullptr};

int shim_open(sqlite3_vfs*, const char* name, sqlite3_file* handle, int flags, int* out_flags) {
  auto* file = reinterpret_cast<ShimFile*>(handle);
  file->base.pMethods = nullptr;
  auto* real = static_cast<sqlite3_file*>(sqlite3_malloc(state.real->szOsFile));
  if (!real) return SQLITE_NOMEM;
  std::memset(real, 0, static_cast<std::size_t>(state.real->szOsFile));
  const int rc = state.real->xOpen(state.real, name, real, flags, out_flags);
  if (rc != SQLITE_OK) {
    if (real->pMethods) real->pMethods->xClose(real);
    sqlite3_free(real);
    return rc;
  }
  file->real = real;
  // A temporary file has no name; each is a file of its own all the same.
  new (&file->path)
      std::string(name ? name : "temp:" + std::to_string(reinterpret_cast<std::uintptr_t>(handle)));
  file->base.pMethods = &shim_methods;
  return SQLITE_OK;
}

// A machine without power deletes nothing either (SQLite removes the WAL when its last connection
// closes).
int shim_delete(sqlite3_vfs*, const char* name, int sync_dir) {
  {
    std::lock_guard lock(state.mutex);
    if (state.power_off) return SQLITE_OK;
    state.unsynced.erase(name);
  }
  return state.real->xDelete(state.real, name, sync_dir);
}

}  // namespace

PowerCutVfs::PowerCutVfs() {
  std::lock_guard lock(state.mutex);
  if (state.real) throw std::logic_error("one PowerCutVfs at a time");
  state.real = sqlite3_vfs_find(nullptr);
  state.vfs = *state.real;
  state.vfs.zName = "power_cut";
  state.vfs.szOsFile = static_cast<int>(sizeof(ShimFile));
  state.vfs.xOpen = shim_open;
  state.vfs.xDelete = shim_delete;
  state.vfs.pNext = nullptr;
  state.power_off = false;
  state.unsynced.clear();
  sqlite3_vfs_register(&state.vfs, 1);
}

PowerCutVfs::~PowerCutVfs() {
  sqlite3_vfs_unregister(&state.vfs);
  sqlite3_vfs_register(state.real, 1);
  std::lock_guard lock(state.mutex);
  state.real = nullptr;
  state.unsynced.clear();
  state.power_off = false;
}

void PowerCutVfs::cut_power() {
  std::lock_guard lock(state.mutex);
  state.unsynced.clear();
  state.power_off = true;
}

std::size_t PowerCutVfs::unsynced_operations() const {
  std::lock_guard lock(state.mutex);
  std::size_t count = 0;
  for (const auto& [path, pending] : state.unsynced) count += pending.size();
  return count;
}

}  // namespace hangar::test
