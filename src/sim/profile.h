#pragma once
// A simulated server's identity and performance model, loaded from data/sim_profiles.yaml.
// All times are MODEL time (what the real server would take); --time-scale divides the sleeps.
//
// Performance model (one scheduler step = one forward pass of the batch):
//   step_ns = step_base_ns
//           + step_per_seq_ns   * running sequences
//           + step_per_kv_ns    * KV tokens held by running sequences
//           + prefill_per_token_ns * uncached prompt tokens of sequences admitted in this step
// Every running sequence gets one token per step. At most max_running sequences run; the rest
// wait in a FIFO queue. vLLM/SGLang/llama.cpp admit waiting requests between steps (continuous
// batching); Ollama runs one at a time (OLLAMA_NUM_PARALLEL=1). The KV cache holds
// kv_capacity_tokens; when a step would overflow it, the newest running sequence is preempted
// (back to the head of the queue, its KV freed, recomputed on resume).
#include <cstdint>
#include <string>

namespace servemeter::sim {

enum class CacheKind { none, radix, blocks, slot };

struct ProfileParams {
  std::string name;  // vllm | sglang | ollama | llamacpp
  std::string default_model;
  std::string version;  // reported by /version, /api/version
  int context_length = 8192;
  int max_running = 256;
  std::int64_t kv_capacity_tokens = 400000;
  double step_base_ns = 6e6;
  double step_per_seq_ns = 4e4;
  double step_per_kv_ns = 50;
  double prefill_per_token_ns = 3e4;
  CacheKind cache = CacheKind::none;
  int block_size = 16;  // vLLM prefix-cache block
  std::int64_t cache_capacity_tokens = 1000000;
  int output_len_mean = 200;      // natural output length (tokens, EOS included) ...
  double output_len_sigma = 0.6;  // ... log-normal spread
  double load_duration_ns = 2e6;  // Ollama's load_duration when the model is warm
};

// Loads `name` from the YAML file at `path`. Throws std::runtime_error with the file, the
// profile name and what is wrong.
ProfileParams load_profile(const std::string& path, const std::string& name);

// The shipped profiles file (compile definition SERVEMETER_SIM_PROFILES).
std::string default_profiles_path();

}  // namespace servemeter::sim
