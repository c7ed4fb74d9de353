#pragma once
// How https:// servers are trusted: by the measuring client and by the pre-flight checks alike,
// so a run never gets past the health check only to fail every request on the certificate.
#include <curl/curl.h>

#include <string>

namespace servemeter::http {

struct TlsOptions {
  bool verify = true;   // false (--insecure): accept any certificate and host name
  std::string ca_file;  // PEM bundle to trust (--cacert); empty: the system's store
};

// Sets them on a curl handle (https:// always runs on curl).
void apply_tls_options(CURL* easy, const TlsOptions& tls);

}  // namespace servemeter::http
