#include "orchestrate/input_calibration.h"

#include <cmath>
#include <cstdio>

#include "load/run_cell.h"

namespace servemeter {
namespace {

constexpr std::size_t kShort = 64;
constexpr std::size_t kLong = 512;

std::string fixed(double value, int decimals) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

}  // namespace

TokenCalibration calibrate_input_tokens(const BenchmarkTarget& target, const std::string& model,
                                        const TextTokenizer& tokenizer,
                                        const TokenizedCorpus& corpus,
                                        const std::string& system_prompt) {
  std::vector<load::PreparedRequest> probes;
  std::vector<std::size_t> ours;
  for (const std::size_t tokens : {kShort, kLong}) {
    GenerationRequest request;
    request.model = model;
    request.system_prompt = system_prompt;
    request.prompt = corpus.cut(tokens, tokens * 31);
    request.max_tokens = 1;
    request.exact_output_length = false;
    load::PreparedRequest prepared;
    prepared.request = request;
    probes.push_back(std::move(prepared));
    ours.push_back(tokenizer.count(system_prompt) + tokens);
  }
  load::CellInput input;
  input.base_url = target.base_url;
  input.adapter = target.adapter;
  input.client = target.client;
  input.requests = probes;
  input.load.mode = load::ClosedLoop{1};
  input.cell = "input-token probe";
  load::NullProgress quiet;
  const load::CellResult result = load::run_cell(input, quiet);

  TokenCalibration c;
  if (result.records.size() != 2 || !result.records[0].ok() || !result.records[1].ok() ||
      result.records[0].input_tokens <= 0 || result.records[1].input_tokens <= 0) {
    c.method =
        "the server reported no prompt token counts to the probes, so the prompts have "
        "the target length by our tokenizer, without the chat template's tokens";
    return c;
  }
  const double s_short = static_cast<double>(result.records[0].input_tokens);
  const double s_long = static_cast<double>(result.records[1].input_tokens);
  const double slope = (s_long - s_short) / static_cast<double>(ours[1] - ours[0]);
  if (tokenizer.exact() && std::abs(slope - 1.0) < 0.005) {
    c.per_token = 1.0;
    c.overhead = s_short - static_cast<double>(ours[0]);
    c.method = "the server adds " + fixed(c.overhead, 0) +
               " tokens (its chat template), measured with two probes";
  } else {
    c.per_token = slope > 0 ? slope : 1.0;
    c.overhead = s_short - c.per_token * static_cast<double>(ours[0]);
    c.method = std::string(tokenizer.exact() ? "the server counts " : "calibrated by probes: ") +
               fixed(c.per_token, 3) + " server tokens per token of ours, plus " +
               fixed(c.overhead, 0) + " of its own";
  }
  return c;
}

}  // namespace servemeter
