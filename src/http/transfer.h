#pragma once
// One reusable curl easy handle plus the state of the request it is carrying. The write and
// pre-request callbacks live here: they are the hot path (stamp, classify once, hand bytes on).
#include <curl/curl.h>

#include <cstdint>
#include <string>

#include "http/answer.h"
#include "http/http_client.h"

namespace servemeter::http {

class Transfer {
 public:
  Transfer(const ClientOptions& options, curl_slist* shared_headers);
  ~Transfer();
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  // Point the handle at a new request. Stays valid until finish() returns.
  void prepare(const TransferSpec& spec);
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
  void note_head();
  void reset_attempt();
  Ending ending(CURLcode result, std::string_view detail) const;

  const ClientOptions& options_;
  CURL* easy_ = nullptr;
  CURLSH* share_ = nullptr;  // this handle's own connection cache
  TransferSpec spec_;
  Answer answer_;
  int attempts_ = 0;  // pre-request callbacks this attempt: >1 means curl retried internally
  bool explicit_retry_done_ = false;
  char error_buffer_[CURL_ERROR_SIZE] = {};
  char id_header_text_[48] = {};
  curl_slist id_header_{};
};

}  // namespace servemeter::http
