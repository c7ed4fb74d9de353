#include "http/transfer.h"

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <string_view>

#include "core/clock.h"
#include "http/tls_options.h"

namespace servemeter::http {
namespace {

bool is_connect_failure(CURLcode code) {
  switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
      return true;
    default:
      return false;
  }
}

}  // namespace

Transfer::Transfer(const ClientOptions& options, curl_slist* shared_headers)
    : options_(options), easy_(curl_easy_init()) {
  if (easy_ == nullptr) throw std::runtime_error("curl_easy_init failed (out of memory?)");
  // Each handle keeps its own connection cache, so a transfer runs on the connection its handle
  // used last (a virtual user's keep-alive connection). With one cache for the whole multi
  // handle, curl 7.88 walks every cached connection to find a free one and again when a
  // transfer is removed: O(connections) per request. Idle connections also stay open through a
  // lull (the shared cache closed them beyond its limit, and the reconnect showed up as
  // open-loop send lag); there are never more than the transfers at the busiest moment.
  share_ = curl_share_init();
  if (share_ == nullptr) {
    curl_easy_cleanup(easy_);
    throw std::runtime_error("curl_share_init failed (out of memory?)");
  }
  curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
  curl_easy_setopt(easy_, CURLOPT_SHARE, share_);
  // Options that never change for this handle are set once here, not per request.
  curl_easy_setopt(easy_, CURLOPT_PRIVATE, this);
  curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy_, CURLOPT_TCP_NODELAY, 1L);
  // Servers under test speak HTTP/1.1 streams; h2 over ALPN would change connection behaviour.
  curl_easy_setopt(easy_, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  curl_easy_setopt(easy_, CURLOPT_POST, 1L);
  curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &Transfer::on_write);
  curl_easy_setopt(easy_, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(easy_, CURLOPT_PREREQFUNCTION, &Transfer::on_prereq);
  curl_easy_setopt(easy_, CURLOPT_PREREQDATA, this);
  curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, error_buffer_);
  curl_easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS, static_cast<long>(options.request_timeout.count()));
  if (options.stall_timeout.count() > 0) {
    curl_easy_setopt(easy_, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(easy_, CURLOPT_LOW_SPEED_TIME,
                     static_cast<long>(options.stall_timeout.count()));
  }
  if (!options.api_key.empty()) {
    curl_easy_setopt(easy_, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
    curl_easy_setopt(easy_, CURLOPT_XOAUTH2_BEARER, options.api_key.c_str());
  }
  apply_tls_options(easy_, options.tls);
  // Our own node (fixed buffer, rewritten per request) in front of the shared headers: sending
  // X-Request-Id costs no allocation. curl only reads the list.
  id_header_.data = id_header_text_;
  id_header_.next = shared_headers;
  curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, &id_header_);
}

Transfer::~Transfer() {
  curl_easy_cleanup(easy_);
  curl_share_cleanup(share_);  // closes the connection it kept
}

void Transfer::prepare(const TransferSpec& spec) {
  spec_ = spec;
  explicit_retry_done_ = false;
  constexpr std::string_view kPrefix = "X-Request-Id: ";
  std::copy(kPrefix.begin(), kPrefix.end(), id_header_text_);
  char* end = id_header_text_ + sizeof id_header_text_ - 1;
  auto [ptr, ec] = std::to_chars(id_header_text_ + kPrefix.size(), end, spec.record->id);
  *ptr = '\0';
  curl_easy_setopt(easy_, CURLOPT_URL, spec_.url.data());
  curl_easy_setopt(easy_, CURLOPT_POSTFIELDS, spec_.body.data());
  curl_easy_setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(spec_.body.size()));
  curl_easy_setopt(easy_, CURLOPT_FRESH_CONNECT, 0L);
  reset_attempt();
}

void Transfer::reset_attempt() {
  attempts_ = 0;
  error_buffer_[0] = '\0';
  answer_.reset(spec_.url, spec_.parser, spec_.adapter, spec_.record);
}

int Transfer::on_prereq(void* self, char*, char*, int, int) {
  // Runs in curl's DO state on a connected (or reused) socket, right before the request is
  // written: this is DESIGN.md's t0. It runs again if curl silently retries on a new
  // connection, which is how such retries become visible.
  auto* t = static_cast<Transfer*>(self);
  t->spec_.record->send_ns = monotonic_ns();
  ++t->attempts_;
  return CURL_PREREQFUNC_OK;
}

void Transfer::note_head() {
  long code = 0;
  curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &code);
  char* type = nullptr;
  curl_easy_getinfo(easy_, CURLINFO_CONTENT_TYPE, &type);
  answer_.on_head(static_cast<int>(code), type != nullptr ? type : "");
}

std::size_t Transfer::on_write(char* data, std::size_t size, std::size_t count, void* self) {
  const std::int64_t arrival = monotonic_ns();  // first thing: bytes arrived, before parsing
  auto* t = static_cast<Transfer*>(self);
  const std::size_t n = size * count;
  if (!t->answer_.head_seen()) t->note_head();
  t->answer_.on_body(std::string_view(data, n), arrival);
  return n;
}

bool Transfer::wants_stale_retry(CURLcode result) const {
  if (!options_.retry_stale_connection || explicit_retry_done_ || attempts_ > 1) return false;
  if (result != CURLE_GOT_NOTHING && result != CURLE_SEND_ERROR && result != CURLE_RECV_ERROR)
    return false;
  long header_bytes = 0;
  long new_connections = 0;
  curl_easy_getinfo(easy_, CURLINFO_HEADER_SIZE, &header_bytes);
  curl_easy_getinfo(easy_, CURLINFO_NUM_CONNECTS, &new_connections);
  // Only a reused connection that yielded nothing: the server closed it as we reused it.
  return new_connections == 0 && header_bytes == 0 && spec_.record->bytes_received == 0;
}

void Transfer::prepare_retry() {
  explicit_retry_done_ = true;
  ++spec_.record->retries;
  curl_easy_setopt(easy_, CURLOPT_FRESH_CONNECT, 1L);
  reset_attempt();
}

void Transfer::finish_cancelled() {
  answer_.finish(Ending::cancelled, "cancelled", monotonic_ns());
}

long Transfer::finish(CURLcode result) {
  RequestRecord& record = *spec_.record;
  const std::int64_t end_ns = monotonic_ns();
  if (attempts_ > 1) record.retries += attempts_ - 1;  // curl's own invisible retries
  long new_connections = 0;
  curl_easy_getinfo(easy_, CURLINFO_NUM_CONNECTS, &new_connections);
  if (!answer_.head_seen()) {
    long code = 0;
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &code);
    if (code != 0) note_head();  // a head without a body
  }
  const std::string detail = error_buffer_[0] != '\0' ? std::string(error_buffer_)
                                                      : std::string(curl_easy_strerror(result));
  answer_.finish(ending(result, detail), detail, end_ns);
  return new_connections;
}

Ending Transfer::ending(CURLcode result, std::string_view detail) const {
  if (result == CURLE_OK) return Ending::complete;
  // After the request went out (the pre-request callback ran), it was not the connect that
  // failed: e.g. curl calls an answer that is not HTTP "unsupported protocol".
  if (is_connect_failure(result) && attempts_ == 0) return Ending::connect_failed;
  if (result == CURLE_OPERATION_TIMEDOUT) {
    if (detail.starts_with("Operation too slow")) return Ending::stalled;
    // Out of time before the request was ever sent: the connect did not finish.
    return attempts_ == 0 ? Ending::connect_failed : Ending::timed_out;
  }
  return Ending::transport_error;
}

}  // namespace servemeter::http
