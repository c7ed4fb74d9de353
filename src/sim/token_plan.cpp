#include "sim/token_plan.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace servemeter::sim {
namespace {

constexpr std::array<std::string_view, 64> kWords = {
    " the",   " model",  " serves",  " tokens", " fast",   " and",    " with",  " a",
    " cache", " of",     " prefix",  " blocks", " in",     " memory", " while", " each",
    " step",  " runs",   " batch",   " over",   " GPU",    " so",     " that",  " latency",
    " stays", " low",    ".",        ",",       " It",     " is",     " known", " for",
    " Paris", " city",   " light",   " river",  " bridge", " art",    " old",   " new",
    " data",  " flows",  " through", " layers", " heads",  " attend", " to",    " past",
    " keys",  " values", " then",    " writes", " next",   " word",   " again", " until",
    " done",  " we",     " measure", " time",   " per",    " output", " token", " here"};

std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

TokenPlan::TokenPlan(int total, bool stops, bool reasoning)
    : total_(std::max(1, total)), stops_(stops), reasoning_(reasoning) {
  if (reasoning_) {
    const int text = std::max(0, total_ - kLead - kMiddle - (stops_ ? 1 : 0));
    reasoning_len_ = std::max(text > 0 ? 1 : 0, text / 2);
  }
}

TokenKind TokenPlan::kind(int index) const {
  if (stops_ && index == total_ - 1) return TokenKind::eos;
  if (!reasoning_) return TokenKind::content;
  if (index < kLead) return TokenKind::control;
  if (index < kLead + reasoning_len_) return TokenKind::reasoning;
  const int mid = index - kLead - reasoning_len_;
  if (mid < kMiddle - 1) return TokenKind::control;
  if (mid == kMiddle - 1) return TokenKind::final_opens;
  return TokenKind::content;
}

int TokenPlan::reasoning_tokens() const {
  return reasoning_ ? std::min(reasoning_len_, std::max(0, total_ - kLead)) : 0;
}

std::string_view token_text(std::uint64_t seed, int index) {
  return kWords[mix(seed * 1000003ull + static_cast<std::uint64_t>(index)) % kWords.size()];
}

std::uint32_t token_id(std::uint64_t seed, int index) {
  return static_cast<std::uint32_t>(mix(seed * 1000003ull + static_cast<std::uint64_t>(index)) %
                                    128000ull);
}

LengthChoice choose_length(std::mt19937_64& rng, int mean, double sigma, int max_tokens,
                           int min_tokens, bool exact) {
  max_tokens = std::max(1, max_tokens);
  if (exact) return {max_tokens, false};
  std::lognormal_distribution<double> dist(std::log(static_cast<double>(std::max(1, mean))), sigma);
  int natural = static_cast<int>(std::lround(dist(rng)));
  natural = std::max({natural, min_tokens + 1, 1});  // min_tokens excludes the EOS itself
  if (natural >= max_tokens) return {max_tokens, false};
  return {natural, true};
}

}  // namespace servemeter::sim
