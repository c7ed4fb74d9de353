#pragma once
// Okabe & Ito's colour-blind-safe palette (Color Universal Design, 2008), ordered so the first
// colours are the most distinct on white; yellow comes late as it is faint on white.
#include <array>
#include <cstddef>

namespace servemeter {

struct Rgb {
  double r, g, b;
};

constexpr Rgb rgb_from_hex(unsigned hex) {
  return {((hex >> 16) & 0xFF) / 255.0, ((hex >> 8) & 0xFF) / 255.0, (hex & 0xFF) / 255.0};
}

inline constexpr std::array<Rgb, 8> kOkabeIto{
    rgb_from_hex(0x0072B2),  // 0 blue
    rgb_from_hex(0xE69F00),  // 1 orange
    rgb_from_hex(0x009E73),  // 2 bluish green
    rgb_from_hex(0xD55E00),  // 3 vermillion
    rgb_from_hex(0xCC79A7),  // 4 reddish purple
    rgb_from_hex(0x56B4E9),  // 5 sky blue
    rgb_from_hex(0xF0E442),  // 6 yellow
    rgb_from_hex(0x000000),  // 7 black
};

// Index 8: neutral grey for a control or baseline series.
inline constexpr Rgb kControlGrey = rgb_from_hex(0x999999);
inline constexpr std::size_t kControlColour = kOkabeIto.size();

inline Rgb palette_colour(std::size_t index) {
  if (index == kControlColour) return kControlGrey;
  return kOkabeIto[index % kOkabeIto.size()];
}

}  // namespace servemeter
