#pragma once
// Exact input lengths: how the server counts a prompt we send. A chat endpoint wraps the user
// message in its template (role headers, BOS, a date line…), and without the model's tokenizer
// our own counts are approximate; two probes (max_tokens 1) of known length, read back through
// the server's usage.prompt_tokens, give both the template's tokens and the ratio.
#include <string>

#include "orchestrate/benchmark_run.h"
#include "workload/datasets.h"
#include "workload/text_tokenizer.h"
#include "workload/tokenized_corpus.h"

namespace servemeter {

// Sends two probe requests (short and long prompts from `corpus`, with `system_prompt`) and
// fits server_tokens = overhead + per_token × our_tokens. When the server reports no prompt
// counts, returns the identity with a method that says so.
TokenCalibration calibrate_input_tokens(const BenchmarkTarget& target, const std::string& model,
                                        const TextTokenizer& tokenizer,
                                        const TokenizedCorpus& corpus,
                                        const std::string& system_prompt);

}  // namespace servemeter
