#pragma once
// Reusing a kept-alive connection safely. A server may close a connection after an answer
// without saying Connection: close: uvicorn when it has been idle ~5 s, llama-server right after
// every streamed answer (while sending Keep-Alive). A request written into a connection the
// server is closing is lost and must be sent again (a retry). So before reuse the connection is
// peeked for the server's close (as curl and aiohttp do), and the client learns per target
// whether the server closes after every answer: if so, each request gets a fresh connection.
// The first reuse of a target's connection waits a moment for that close (kSettleNs), since the
// next request of a closed loop would otherwise race it.
#include <cstdint>

namespace servemeter::http {

enum class KeepAliveHabit { unknown, keeps, closes_after_each_answer };

// A kept connection closed within this long after its first answer is the server's habit, not
// an idle timeout (uvicorn's is 5 s).
inline constexpr std::int64_t kPromptCloseNs = 200'000'000;
// How long the first reuse waits after the answer for the server's close. llama-server's FIN
// follows the last chunk within tens of µs; the margin is for a loaded machine. Paid at most
// once per target (and client), only when a request follows its previous answer at once.
inline constexpr std::int64_t kSettleNs = 5'000'000;

// What a non-blocking peek sees on an idle connection.
enum class IdlePeek {
  quiet,   // nothing: open, as far as can be seen
  data,    // bytes nobody asked for (or TLS records)
  closed,  // FIN or RST
};
IdlePeek peek_idle(int fd) noexcept;

// The verdict on a kept connection found closed (or unusable) at `now`: a connection that
// carried one answer and was closed promptly teaches that the server closes every one.
inline void learn_from_close(KeepAliveHabit& habit, int answers_on_connection,
                             std::int64_t last_answer_ns, std::int64_t now) noexcept {
  if (answers_on_connection == 1 && now - last_answer_ns < kPromptCloseNs) {
    habit = KeepAliveHabit::closes_after_each_answer;
  }
}

}  // namespace servemeter::http
