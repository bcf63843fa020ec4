//! One error type for every service, and one table that says what each kind of error is on the
//! wire: its gRPC code, its HTTP status, and the reason string that carries it between the two.

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

pub type Result<T, E = Error> = std::result::Result<T, E>;

const ERROR_DOMAIN: &str = "atq";

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError { field: field.into(), message: message.into() }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("version {expected} is stale; the record is at version {actual}")]
    StaleVersion { expected: i64, actual: i64 },
    #[error("the idempotency key was already used with a different request")]
    IdempotencyKeyReused,
    #[error("{0}")]
    Unauthenticated(String),
    #[error("{0}")]
    PermissionDenied(String),
    #[error("{0}")]
    Unavailable(String),
    /// A sibling did not answer within the call's deadline: the gateway says 504, not 503, so a
    /// client (and an operator) can tell a hung service from one that is down or busy.
    #[error("{0}")]
    TimedOut(String),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

/// The kinds of error a client can tell apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    InvalidInput,
    NotFound,
    Conflict,
    StaleVersion,
    IdempotencyKeyReused,
    Unauthenticated,
    PermissionDenied,
    Unavailable,
    TimedOut,
    Internal,
}

struct CodeRow {
    code: ErrorCode,
    grpc: Code,
    http: u16,
    reason: &'static str,
    title: &'static str,
}

const CODE_TABLE: &[CodeRow] = &[
    CodeRow {
        code: ErrorCode::InvalidInput,
        grpc: Code::InvalidArgument,
        http: 400,
        reason: "invalid_input",
        title: "Invalid input",
    },
    CodeRow { code: ErrorCode::NotFound, grpc: Code::NotFound, http: 404, reason: "not_found", title: "Not found" },
    CodeRow {
        code: ErrorCode::Conflict,
        grpc: Code::FailedPrecondition,
        http: 409,
        reason: "conflict",
        title: "Conflict with the record's state",
    },
    CodeRow {
        code: ErrorCode::StaleVersion,
        grpc: Code::Aborted,
        http: 412,
        reason: "stale_version",
        title: "Stale version",
    },
    CodeRow {
        code: ErrorCode::IdempotencyKeyReused,
        grpc: Code::AlreadyExists,
        http: 422,
        reason: "idempotency_key_reused",
        title: "Idempotency key reused",
    },
    CodeRow {
        code: ErrorCode::Unauthenticated,
        grpc: Code::Unauthenticated,
        http: 401,
        reason: "unauthenticated",
        title: "Not authenticated",
    },
    CodeRow {
        code: ErrorCode::PermissionDenied,
        grpc: Code::PermissionDenied,
        http: 403,
        reason: "permission_denied",
        title: "Not allowed",
    },
    CodeRow {
        code: ErrorCode::Unavailable,
        grpc: Code::Unavailable,
        http: 503,
        reason: "unavailable",
        title: "Service unavailable",
    },
    CodeRow {
        code: ErrorCode::TimedOut,
        grpc: Code::DeadlineExceeded,
        http: 504,
        reason: "timed_out",
        title: "No answer in time",
    },
    CodeRow { code: ErrorCode::Internal, grpc: Code::Internal, http: 500, reason: "internal", title: "Internal error" },
];

impl ErrorCode {
    fn row(self) -> &'static CodeRow {
        CODE_TABLE.iter().find(|row| row.code == self).unwrap_or(&CODE_TABLE[CODE_TABLE.len() - 1])
    }
    pub fn grpc(self) -> Code {
        self.row().grpc
    }
    pub fn http_status(self) -> u16 {
        self.row().http
    }
    pub fn reason(self) -> &'static str {
        self.row().reason
    }
    pub fn title(self) -> &'static str {
        self.row().title
    }
    pub fn from_reason(reason: &str) -> Option<ErrorCode> {
        CODE_TABLE.iter().find(|row| row.reason == reason).map(|row| row.code)
    }
    /// For statuses that carry no reason (deadlines, transport failures, other servers).
    fn from_grpc(code: Code) -> ErrorCode {
        match code {
            Code::InvalidArgument | Code::OutOfRange => ErrorCode::InvalidInput,
            Code::NotFound => ErrorCode::NotFound,
            Code::FailedPrecondition => ErrorCode::Conflict,
            Code::Aborted => ErrorCode::StaleVersion,
            Code::AlreadyExists => ErrorCode::Conflict,
            Code::Unauthenticated => ErrorCode::Unauthenticated,
            Code::PermissionDenied => ErrorCode::PermissionDenied,
            Code::Unavailable | Code::ResourceExhausted => ErrorCode::Unavailable,
            // A call past its deadline ends as DEADLINE_EXCEEDED from the callee, or CANCELLED
            // when the caller's own timer fires first (nothing else here cancels a call).
            Code::DeadlineExceeded | Code::Cancelled => ErrorCode::TimedOut,
            _ => ErrorCode::Internal,
        }
    }
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Invalid(_) => ErrorCode::InvalidInput,
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::Conflict(_) => ErrorCode::Conflict,
            Error::StaleVersion { .. } => ErrorCode::StaleVersion,
            Error::IdempotencyKeyReused => ErrorCode::IdempotencyKeyReused,
            Error::Unauthenticated(_) => ErrorCode::Unauthenticated,
            Error::PermissionDenied(_) => ErrorCode::PermissionDenied,
            Error::Unavailable(_) => ErrorCode::Unavailable,
            Error::TimedOut(_) => ErrorCode::TimedOut,
            Error::Internal(_) => ErrorCode::Internal,
        }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Invalid(vec![FieldError::new(field, message)])
    }

    pub fn internal(error: impl Into<anyhow::Error>) -> Error {
        Error::Internal(error.into())
    }

    /// Refuses a change based on another version than the record's; `expected` 0 means the
    /// caller did not say which version it read.
    pub fn unless_stale(expected: i64, actual: i64) -> Result<(), Error> {
        if expected > 0 && expected != actual { Err(Error::StaleVersion { expected, actual }) } else { Ok(()) }
    }
}

impl From<Error> for Status {
    fn from(error: Error) -> Status {
        let code = error.code();
        if let Error::Internal(source) = &error {
            // The cause stays in the log; the caller learns only that it happened.
            tracing::error!(error = format!("{source:#}"), "internal error");
        }
        let mut details = ErrorDetails::new();
        details.set_error_info(code.reason(), ERROR_DOMAIN, std::collections::HashMap::new());
        if let Error::Invalid(fields) = &error {
            for field in fields {
                details.add_bad_request_violation(field.field.clone(), field.message.clone());
            }
        }
        Status::with_error_details(code.grpc(), error.to_string(), details)
    }
}

/// What a gRPC status says, read back into our terms (used by the gateway and by clients of
/// sibling services).
#[derive(Clone, Debug)]
pub struct RemoteError {
    pub code: ErrorCode,
    pub message: String,
    pub fields: Vec<FieldError>,
}

impl RemoteError {
    pub fn from_status(status: &Status) -> RemoteError {
        let details = status.get_error_details();
        let code = details
            .error_info()
            .filter(|info| info.domain == ERROR_DOMAIN)
            .and_then(|info| ErrorCode::from_reason(&info.reason))
            .unwrap_or_else(|| ErrorCode::from_grpc(status.code()));
        let fields = details
            .bad_request()
            .map(|bad| bad.field_violations.iter().map(|v| FieldError::new(&v.field, &v.description)).collect())
            .unwrap_or_default();
        let message = match code {
            ErrorCode::Internal => "internal error".to_owned(),
            ErrorCode::TimedOut => "a service did not answer in time".to_owned(),
            ErrorCode::Unavailable if status.code() != Code::Unavailable => {
                format!("a service is unavailable ({})", status.code().description())
            }
            _ => status.message().to_owned(),
        };
        RemoteError { code, message, fields }
    }
}

impl From<Status> for Error {
    /// A sibling's error, carried on: its kind is kept, so a not-found stays a not-found.
    fn from(status: Status) -> Error {
        let remote = RemoteError::from_status(&status);
        match remote.code {
            ErrorCode::InvalidInput => Error::Invalid(remote.fields),
            // The message already ends in "not found"; the error adds it again when shown.
            ErrorCode::NotFound => {
                let what = remote.message.strip_suffix(" not found").unwrap_or(&remote.message);
                Error::NotFound(what.to_owned())
            }
            ErrorCode::Conflict | ErrorCode::StaleVersion => Error::Conflict(remote.message),
            ErrorCode::IdempotencyKeyReused => Error::IdempotencyKeyReused,
            ErrorCode::Unauthenticated => Error::Unauthenticated(remote.message),
            ErrorCode::PermissionDenied => Error::PermissionDenied(remote.message),
            ErrorCode::Unavailable => Error::Unavailable(remote.message),
            ErrorCode::TimedOut => Error::TimedOut(remote.message),
            ErrorCode::Internal => Error::Internal(anyhow::anyhow!("sibling service failed: {status}")),
        }
    }
}

impl From<sqlx::Error> for Error {
    /// Database errors are sorted in one place: a broken constraint is a conflict, a busy or
    /// serialisation failure is worth a retry, the rest is internal.
    fn from(error: sqlx::Error) -> Error {
        if let sqlx::Error::Database(db_error) = &error {
            match db_error.kind() {
                sqlx::error::ErrorKind::UniqueViolation => {
                    let what = db_error.constraint().unwrap_or("unique key").to_owned();
                    return Error::Conflict(format!("duplicate value for {what}"));
                }
                sqlx::error::ErrorKind::ForeignKeyViolation => {
                    return Error::Conflict("a referenced record does not exist".to_owned());
                }
                _ => {}
            }
            let retryable = match db_error.code().as_deref() {
                // PostgreSQL: serialization failure, deadlock. SQLite: busy, locked.
                Some("40001") | Some("40P01") | Some("5") | Some("6") => true,
                _ => false,
            };
            if retryable {
                return Error::Unavailable("the database is busy, try again".to_owned());
            }
            if db_error.code().as_deref().is_some_and(is_connection_lost) {
                return Error::Unavailable("the database connection was lost, try again".to_owned());
            }
        }
        if matches!(error, sqlx::Error::PoolTimedOut) {
            return Error::Unavailable("the database is busy, try again".to_owned());
        }
        // The connection broke under the statement (a database restart, a network cut): worth a
        // retry, and a safe one, as a write that did commit is found by its idempotency key.
        if matches!(error, sqlx::Error::Io(_) | sqlx::Error::PoolClosed) {
            return Error::Unavailable("the database connection was lost, try again".to_owned());
        }
        Error::Internal(error.into())
    }
}

/// PostgreSQL codes of a connection ended by the server or the network: class 08 (connection
/// exception) and 57P01-57P03 (administrator, crash or startup shutdown).
fn is_connection_lost(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03")
}

impl From<prost::DecodeError> for Error {
    fn from(error: prost::DecodeError) -> Error {
        Error::Internal(error.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_survives_a_round_trip_through_grpc() {
        let samples = [
            Error::invalid("phone", "must be 10 digits"),
            Error::NotFound("customer 7".into()),
            Error::Conflict("already confirmed".into()),
            Error::StaleVersion { expected: 1, actual: 2 },
            Error::IdempotencyKeyReused,
            Error::Unauthenticated("no token".into()),
            Error::PermissionDenied("role".into()),
            Error::Unavailable("busy".into()),
            Error::TimedOut("slow".into()),
            Error::Internal(anyhow::anyhow!("secret detail")),
        ];
        for error in samples {
            let code = error.code();
            let status = Status::from(error);
            let remote = RemoteError::from_status(&status);
            assert_eq!(remote.code, code);
        }
    }

    #[test]
    fn a_not_found_carried_through_a_second_service_says_it_once() {
        let carried = Error::from(Status::from(Error::NotFound("customer 7".into())));
        assert_eq!(carried.to_string(), "customer 7 not found");
    }

    #[test]
    fn field_errors_travel_in_the_status_details() {
        let status = Status::from(Error::Invalid(vec![
            FieldError::new("phone", "must be 10 digits starting with 0, or +84"),
            FieldError::new("name", "must not be empty"),
        ]));
        let remote = RemoteError::from_status(&status);
        assert_eq!(remote.fields.len(), 2);
        assert_eq!(remote.fields[1].field, "name");
        assert_eq!(status.code(), Code::InvalidArgument);
    }

    #[test]
    fn a_lost_database_connection_is_worth_a_retry() {
        let reset = sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionReset));
        assert!(matches!(Error::from(reset), Error::Unavailable(_)));
        assert!(matches!(Error::from(sqlx::Error::PoolClosed), Error::Unavailable(_)));
        for code in ["57P01", "57P02", "57P03", "08006", "08003"] {
            assert!(is_connection_lost(code), "{code}");
        }
        for code in ["57014", "23505", "42P01"] {
            assert!(!is_connection_lost(code), "{code}");
        }
        assert!(matches!(Error::from(sqlx::Error::RowNotFound), Error::Internal(_)));
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let status = Status::from(Error::Internal(anyhow::anyhow!("password=hunter2")));
        assert!(!status.message().contains("hunter2"));
        assert_eq!(RemoteError::from_status(&status).message, "internal error");
    }

    #[test]
    fn a_deadline_reads_as_a_timeout_and_a_closed_port_as_unavailable() {
        for status in [Status::deadline_exceeded("late"), Status::cancelled("Timeout expired")] {
            let remote = RemoteError::from_status(&status);
            assert_eq!(remote.code, ErrorCode::TimedOut);
            assert_eq!(remote.code.http_status(), 504);
            assert_eq!(remote.message, "a service did not answer in time");
        }
        let refused = RemoteError::from_status(&Status::unavailable("connection refused"));
        assert_eq!(refused.code.http_status(), 503);
    }
}
