#pragma once
// One reusable curl easy handle plus the state of the request it is carrying. The write and
// pre-request callbacks live here: they are the hot path (stamp, classify once, hand bytes on).
#include <curl/curl.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/answer.h"
#include "http/http_client.h"
#include "http/keep_alive.h"

namespace servemeter::http {

class Transfer {
 public:
  Transfer(const ClientOptions& options, curl_slist* shared_headers);
  ~Transfer();
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  // Point the handle at a new request. Stays valid until finish() returns. `habit` is what the
  // client knows of the target's keep-alive (keep_alive.h); it outlives the transfer.
  void prepare(const TransferSpec& spec, KeepAliveHabit& habit);
  // The request should wait until settle_until_ns() for the server to close the kept
  // connection before curl reuses it (keep_alive.h), then call settled().
  bool must_settle() const;
  std::int64_t settle_until_ns() const noexcept { return last_answer_ns_ + kSettleNs; }
  void settled();
  CURL* easy() const noexcept { return easy_; }
  const TransferSpec& spec() const noexcept { return spec_; }

  // curl says the transfer ended with `result`. Returns true when it should be retried once on a
  // fresh connection (stale keep-alive); the caller then re-adds the handle.
  bool wants_stale_retry(CURLcode result) const;
  void prepare_retry();
  // Fill the record's end time, status and error; returns new connections this transfer opened.
  long finish(CURLcode result);
  // The user's interrupt cut the request (its handle is already out of the multi handle).
  void finish_cancelled();

 private:
  static std::size_t on_write(char* data, std::size_t size, std::size_t count, void* self);
  static int on_prereq(void* self, char* primary_ip, char* local_ip, int primary_port,
                       int local_port);
  static curl_socket_t on_open_socket(void* self, curlsocktype purpose, curl_sockaddr* address);
  static int on_close_socket(void* self, curl_socket_t fd);
  // The connection the request is about to go out on (one of open_sockets_).
  void note_connection(int local_port);
  void learn_from_dead_connection();
  void note_head();
  // A response header's value by name (empty: not sent); valid until the next request.
  std::string_view header(const char* name) const;
  void reset_attempt();
  Ending ending(CURLcode result, std::string_view detail) const;

  const ClientOptions& options_;
  CURL* easy_ = nullptr;
  CURLSH* share_ = nullptr;  // this handle's own connection cache
  TransferSpec spec_;
  Answer answer_;
  int attempts_ = 0;  // pre-request callbacks this attempt: >1 means curl retried internally
  bool explicit_retry_done_ = false;
  bool abandoned_ = false;  // the write callback refused bytes: the answer needs no more
  // The sockets curl opened for this handle and has not closed (usually one; happy eyeballs may
  // briefly hold two), the one the last request went out on, and what it carried.
  std::array<curl_socket_t, 4> open_sockets_{};
  std::size_t open_count_ = 0;
  curl_socket_t socket_ = CURL_SOCKET_BAD;
  int answers_on_connection_ = 0;
  std::int64_t last_answer_ns_ = 0;
  // The kept connection this request found (for learning if it dies under the request).
  int kept_answers_ = 0;
  std::int64_t kept_answer_ns_ = 0;
  KeepAliveHabit* habit_ = nullptr;
  char error_buffer_[CURL_ERROR_SIZE] = {};
  char id_header_text_[48] = {};
  curl_slist id_header_{};
};

}  // namespace servemeter::http
