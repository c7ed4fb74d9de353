#pragma once
// A framework's raw log read back into what every output needs: the runs, and per cell its
// newest complete measurement with each trial's figures (and the requests' own figures for
// scenarios that look at single requests: prefix-cache order, Korean pairs). One pass, memory
// bounded by the number of cells, not of requests.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "analysis/trial_figures.h"
#include "results/log_lines.h"
#include "results/request_log_reader.h"

namespace servemeter {

// One request, reduced to what per-request analyses use. NaN: not measured.
struct RequestRow {
  std::uint64_t id = 0;
  std::uint32_t item = 0;
  int trial = 0;
  bool ok = false;
  double ttft_ms = 0, ttfc_ms = 0, e2el_ms = 0, tpot_ms = 0;  // model time
  std::int64_t input_tokens = -1, output_tokens = -1, output_chars = -1, cached_tokens = -1;
};

struct TrialDigest {
  int trial = 0;
  TrialFigures figures;
  std::optional<TrialEnd> end;  // absent: the trial was cut by a crash or kill
};

struct CellDigest {
  CellInfo info;
  std::vector<TrialDigest> trials;  // by trial number
  TrialFigures pooled;              // every trial's requests together (distributions only)
  bool complete = false;            // its cell_end came and said so
  std::string stop_reason = "none";
  std::vector<RequestRow> rows;  // measured requests in id order, up to a bound
  bool rows_truncated = false;
};

struct FrameworkLog {
  std::filesystem::path path;
  std::vector<RunInfo> runs;      // in file order; the last is the newest
  std::vector<CellDigest> cells;  // in order of first appearance
  LogReadStats stats;
  std::vector<std::string> problems;  // bad lines, superseded or interrupted cells, in words
};

struct DigestOptions {
  std::optional<Slo> slo;  // overrides the SLOs recorded with each cell
  std::size_t max_rows_per_cell = 200'000;
};

// Throws ReadError when the file cannot be read at all.
FrameworkLog digest_log(const std::filesystem::path& path, const DigestOptions& options = {});

// The SLOs a cell was run with (params.slo), if any.
Slo slo_of(const CellInfo& cell);

}  // namespace servemeter
