#include "http/tls_options.h"

namespace servemeter::http {

void apply_tls_options(CURL* easy, const TlsOptions& tls) {
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, tls.verify ? 1L : 0L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, tls.verify ? 2L : 0L);
  if (!tls.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, tls.ca_file.c_str());
}

}  // namespace servemeter::http
