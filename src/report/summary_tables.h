#pragma once
// The tables of the summary as data, so Markdown and HTML print the same rows: the frameworks
// side by side per scenario cell (best value per row marked), the prefix-cache and Korean
// tables, the environment, the verdicts and their evidence, the saturation points.
#include <string>
#include <vector>

#include "analysis/comparison.h"

namespace servemeter {

struct TableCell {
  std::string text;
  bool best = false;  // the best value of its row
};

struct Table {
  std::string title;
  std::string caption;  // one line under the title
  std::vector<std::string> header;
  std::vector<std::vector<TableCell>> rows;
  std::vector<std::string> notes;  // under the table
  bool numeric = true;             // columns after the first hold numbers (right-aligned)
};

Table frameworks_table(const Comparison& c);
// One per scenario cell, in the comparison's order.
std::vector<Table> cell_tables(const Comparison& c);
std::vector<Table> prefix_cache_tables(const Comparison& c);
std::vector<Table> korean_tables(const Comparison& c);
Table environment_table(const Comparison& c);
Table verdicts_table(const Comparison& c);
Table evidence_table(const HypothesisResult& h);
Table saturation_table(const Comparison& c);

// The simulated banner's words, or empty when nothing is simulated.
std::string simulated_banner(const Comparison& c);

}  // namespace servemeter
