// Replaces the global operator new and delete (every C++17 form) so that each block records the
// meter it was charged to; see memory_meter.hpp. Built only with HANGAR_METERING on, and linked
// as an object file into every executable, since an archive member that only defines operator
// new would never be pulled in (the C++ runtime already defines it).
//
// Layout: [padding][header: meter, word][user bytes]. For ordinary requests the header is the
// whole prefix (16 bytes keeps alignof(max_align_t)); an over-aligned request of alignment A
// gets an A-byte prefix from aligned_alloc with the header at its end. `word` holds the bytes
// charged (user bytes + prefix) and log2 of the prefix, so every form of delete, sized or not,
// aligned or not, finds the block's start. Blocks allocated with no current meter still get the
// header (meter null), so delete never has to guess.
#include <cstdint>
#include <cstdlib>
#include <new>

#include "platform/memory/memory_meter.hpp"

namespace {

struct BlockHeader {
  hangar::MemoryMeter* meter;
  std::uint64_t word;
};
static_assert(sizeof(BlockHeader) == alignof(std::max_align_t));

constexpr unsigned shift_bits = 56;
constexpr std::uint64_t charged_mask = (std::uint64_t{1} << shift_bits) - 1;

void* try_allocate(std::size_t size, std::size_t alignment) noexcept {
  std::size_t prefix = alignment > sizeof(BlockHeader) ? alignment : sizeof(BlockHeader);
  std::uint64_t charged = std::uint64_t{size} + prefix;
  void* base = prefix == sizeof(BlockHeader)
                   ? std::malloc(charged)
                   : std::aligned_alloc(prefix, (charged + prefix - 1) & ~(prefix - 1));
  if (base == nullptr) return nullptr;
  auto* user = static_cast<char*>(base) + prefix;
  auto* header = reinterpret_cast<BlockHeader*>(user) - 1;
  header->meter = hangar::MemoryMeter::current();
  header->word =
      charged | (std::uint64_t{static_cast<unsigned>(__builtin_ctzl(prefix))} << shift_bits);
  if (header->meter != nullptr) header->meter->charge(charged);
  return user;
}

void* allocate(std::size_t size, std::size_t alignment) {
  if (size > charged_mask - alignment - sizeof(BlockHeader)) throw std::bad_alloc();
  for (;;) {
    if (void* user = try_allocate(size, alignment)) return user;
    // What the standard asks of operator new: let the new-handler free memory, then retry.
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

void* allocate_nothrow(std::size_t size, std::size_t alignment) noexcept {
  try {
    return allocate(size, alignment);
  } catch (...) {
    return nullptr;
  }
}

void release(void* user) noexcept {
  if (user == nullptr) return;
  const auto* header = static_cast<const BlockHeader*>(user) - 1;
  hangar::MemoryMeter* meter = header->meter;
  std::uint64_t word = header->word;
  void* base = static_cast<char*>(user) - (std::size_t{1} << (word >> shift_bits));
  if (meter != nullptr) meter->credit(word & charged_mask);
  std::free(base);
}

constexpr std::size_t plain = alignof(std::max_align_t);

}  // namespace

void* operator new(std::size_t size) {
  return allocate(size, plain);
}
void* operator new[](std::size_t size) {
  return allocate(size, plain);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return allocate_nothrow(size, plain);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return allocate_nothrow(size, plain);
}
void* operator new(std::size_t size, std::align_val_t al) {
  return allocate(size, static_cast<std::size_t>(al));
}
void* operator new[](std::size_t size, std::align_val_t al) {
  return allocate(size, static_cast<std::size_t>(al));
}
void* operator new(std::size_t size, std::align_val_t al, const std::nothrow_t&) noexcept {
  return allocate_nothrow(size, static_cast<std::size_t>(al));
}
void* operator new[](std::size_t size, std::align_val_t al, const std::nothrow_t&) noexcept {
  return allocate_nothrow(size, static_cast<std::size_t>(al));
}

// The header knows the size and the alignment, so every delete is the same.
void operator delete(void* p) noexcept {
  release(p);
}
void operator delete[](void* p) noexcept {
  release(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  release(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  release(p);
}
void operator delete(void* p, std::size_t) noexcept {
  release(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  release(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
  release(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  release(p);
}
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  release(p);
}
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  release(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  release(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  release(p);
}
