// ApiError: a failure the REST API reports to its client as a Kubernetes `Status` object
// ({"kind":"Status","status":"Failure","message":..,"reason":..,"code":..}), and the mapping of
// store and model errors onto it.
//
// Ownership: value types. Thread-safety: immutable after construction; functions reentrant.
#pragma once

#include <Poco/JSON/Object.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "framework/model/field_error.hpp"

namespace maasprov::api {

class ApiError : public std::runtime_error {
 public:
  // `reason` is the Kubernetes StatusReason (NotFound, AlreadyExists, Conflict, Invalid,
  // BadRequest, Unauthorized, Forbidden, MethodNotAllowed, RequestEntityTooLarge,
  // UnsupportedMediaType, Gone, TooManyRequests, ServiceUnavailable, InternalError).
  ApiError(int code, std::string reason, std::string message,
           std::vector<model::FieldError> causes = {});

  int code() const noexcept { return code_; }
  const std::string& reason() const noexcept { return reason_; }
  // Field-level findings (validation), reported as details.causes[{field, message}].
  const std::vector<model::FieldError>& causes() const noexcept { return causes_; }

 private:
  int code_;
  std::string reason_;
  std::vector<model::FieldError> causes_;
};

// The Status document for an error.
Poco::JSON::Object::Ptr statusFor(const ApiError& error);
// A Success Status (e.g. for a DELETE whose object is gone).
Poco::JSON::Object::Ptr successStatus(int code, const std::string& message);

// Maps any exception the store or model can throw (store::NotFound 404, AlreadyExists and
// Conflict 409, Invalid 400, Expired 410, model::DecodeError 400, other StoreError 500).
// Messages are passed through unchanged: neither layer puts secret values in them.
ApiError errorFrom(const std::exception& error);

}  // namespace maasprov::api
