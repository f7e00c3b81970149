// Which folders a results folder may replace, and how it is put in place (docs/runtime.md,
// "The results folder"): gennc replaces only a gennc results folder, deletes only the files
// that folder's manifest says gennc wrote, and refuses anything else before a run starts.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "status.h"

namespace gennc::runtime {

// What is at a results folder's path now.
struct ResultsDestination {
  enum class Kind {
    Absent,   // nothing: the folder (and its missing parents) will be created
    Empty,    // an empty folder
    Results,  // a gennc results folder: its manifest.json says "format": "gennc-results"
  };
  Kind kind = Kind::Absent;
  std::filesystem::path folder;  // the destination (a symbolic link resolved)
  std::filesystem::path parent;  // where the temporary folder goes (created when missing)
  // Results: the regular files its manifest lists as written by gennc (plain names, present),
  // manifest.json excluded; and every other entry of the folder, which gennc keeps.
  std::vector<std::string> owned;
  std::vector<std::string> foreign;
};

// Examines `name` as a results folder's destination without changing anything there; first
// removes stale temporary folders beside it (`NAME.tmp-PID`, `NAME.old-PID` of processes
// that no longer exist: only the files gennc writes in them, then the folder if empty).
// Refuses a destination that is not a folder, a non-empty folder that is not a gennc
// results folder, and one that cannot be written (a missing parent that cannot be created,
// no write permission, a read-only file system), each with a message naming the path.
// `file_names`: the files the results will have; each must fit the file system's name
// limit and must not be an entry gennc would keep.
Status inspect_results_destination(const std::string& name, const std::vector<std::string>& file_names,
                                   ResultsDestination* out);

// inspect_results_destination without file names, for a caller that has no simulation yet.
Status check_results_folder(const std::string& name);

// The temporary folder the results are assembled in: `FOLDER.tmp-PID` beside the folder.
std::filesystem::path results_temporary(const ResultsDestination& destination);

// Puts the results assembled in `fresh` (their files `written`, manifest.json last among
// them) in place of `destination`: an absent, empty or purely gennc folder is exchanged
// with `fresh` in one rename and the old files removed; a results folder that also holds
// other entries keeps them, its old files replaced one by one, each by a rename (docs).
Status install_results(const std::filesystem::path& fresh, const std::vector<std::string>& written,
                       const ResultsDestination& destination);

}  // namespace gennc::runtime
