#include "platform/rest/admin_credential.hpp"

#include "storage/settings_repository.hpp"

namespace hangar::rest {

void AdminCredential::check(std::string candidate, Decided decided) {
  std::unique_lock lock(mutex_);
  const bool fresh = read_at_ && Clock::now() - *read_at_ < max_age_;
  if (fresh) {
    const auto answer = verdict(candidate);
    lock.unlock();
    return decided(answer);
  }
  waiting_.emplace_back(std::move(candidate), std::move(decided));
  if (reading_) return;
  reading_ = true;
  lock.unlock();
  storage_.post(
      [this](storage::Database& db) -> storage::JobQueue::Completion {
        std::optional<std::optional<std::string>> hash =
            storage::SettingsRepository(db).admin_token_hash();
        return [this, hash = std::move(hash)] { on_read(hash); };
      },
      // Unreadable: decided on the hash read before, and the next request reads again.
      [this](const std::string&) { on_read(std::nullopt); });
}

void AdminCredential::on_read(std::optional<std::optional<std::string>> hash) {
  std::vector<std::pair<std::string, Decided>> decided;
  std::vector<Verdict> verdicts;
  {
    std::lock_guard lock(mutex_);
    reading_ = false;
    if (hash) {
      hash_ = std::move(*hash);
      read_at_ = Clock::now();
    }
    decided.swap(waiting_);
    for (const auto& entry : decided) verdicts.push_back(verdict(entry.first));
  }
  for (std::size_t i = 0; i < decided.size(); ++i) decided[i].second(verdicts[i]);
}

AdminCredential::Verdict AdminCredential::verdict(const std::string& candidate) const {
  if (!read_at_) return Verdict::unknown;
  return hash_ && storage::matches_token_hash(*hash_, candidate) ? Verdict::admin
                                                                 : Verdict::not_admin;
}

}  // namespace hangar::rest
