// Deleting a PersistentVolumeClaim deletes a database's data. kstatec does it
// only when the user says so in so many words: `kstatec delete --delete-data`,
// confirmed on a terminal or with `--yes`. A `DataDeletionConsent` is the
// proof of that; `ApiClient::DeleteClaim`, the only call that deletes a claim,
// takes one. Prune, delete without the flag, recreation and storage growth
// never hold one, so they cannot reach it (tests/lifecycle checks the source
// for other constructions).
#pragma once

namespace kstate::runtime::api {

class DataDeletionConsent {
 public:
  // `--delete-data` was given, and confirmed (a "yes" typed on the terminal,
  // or `--yes`). Call sites: compiler/cli/delete_command.cpp only.
  static DataDeletionConsent FromDeleteDataFlag(bool dry_run) { return DataDeletionConsent(dry_run); }
  bool dry_run() const { return dry_run_; }

 private:
  explicit DataDeletionConsent(bool dry_run) : dry_run_(dry_run) {}
  bool dry_run_;
};

}  // namespace kstate::runtime::api
