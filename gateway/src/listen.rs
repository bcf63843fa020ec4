//! The HTTP server loop, so that slow or idle clients cannot hold the gateway: at most
//! `max_connections` connections at once (the next waits in the listen backlog), request headers
//! read within `header_read_timeout` (an idle kept-alive connection is closed after it too), a
//! request body read within `body_read_timeout` of its headers, and a graceful stop that lets
//! in-flight requests finish. Each request carries the peer's address (`ConnectInfo`).

use std::error::Error as StdError;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use atq_platform::CancellationToken;
use axum::Router;
use axum::body::Bytes;
use axum::extract::ConnectInfo;
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::time::Sleep;

type BoxError = Box<dyn StdError + Send + Sync>;

/// How long a client may take and how many may be connected at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HttpLimits {
    /// From the first byte of a request (or the end of the previous one) to its last header.
    pub header_read_timeout: Duration,
    /// From the end of a request's headers to the last byte of its body.
    pub body_read_timeout: Duration,
    /// Connections open at once; more wait in the operating system's backlog.
    pub max_connections: usize,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            max_connections: 1024,
        }
    }
}

/// Serves `app` on `listener` until `shutdown`, then waits for the open requests to finish.
pub async fn serve_http(listener: TcpListener, app: Router, limits: HttpLimits, shutdown: CancellationToken) {
    let open = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout);
    loop {
        let permit = tokio::select! {
            () = shutdown.cancelled() => break,
            permit = open.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
        };
        let (tcp, peer) = tokio::select! {
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait a little rather than spin.
                    tracing::warn!(%error, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        // Nagle off, as on the services: a JSON reply should not wait for the client's delayed ACK.
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!(%error, "could not turn off Nagle on a connection");
        }
        let service = TowerToHyperService::new(per_request(app.clone(), peer, limits.body_read_timeout));
        let connection = graceful.watch(http.serve_connection(TokioIo::new(tcp), service));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection closed with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// `app` with the peer's address and the body's deadline put on each request.
fn per_request(
    app: Router,
    peer: SocketAddr,
    body_read_timeout: Duration,
) -> impl tower::Service<
    http::Request<Incoming>,
    Response = axum::response::Response,
    Error = std::convert::Infallible,
    Future = impl Send,
> + Clone
+ Send
+ 'static {
    tower::ServiceBuilder::new()
        .map_request(move |request: http::Request<Incoming>| {
            let mut request = request.map(|body| DeadlineBody::new(body, body_read_timeout));
            request.extensions_mut().insert(ConnectInfo(peer));
            request
        })
        .service(app)
}

/// The body of a request that did not arrive in time.
#[derive(Debug)]
pub struct BodyTimedOut(Duration);

impl std::fmt::Display for BodyTimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the request body did not arrive within {} s", self.0.as_secs())
    }
}

impl StdError for BodyTimedOut {}

impl BodyTimedOut {
    /// Whether `error` (or what caused it) is a body that timed out.
    pub fn caused(error: &(dyn StdError + 'static)) -> bool {
        let mut next = Some(error);
        while let Some(error) = next {
            if error.is::<BodyTimedOut>() {
                return true;
            }
            next = error.source();
        }
        false
    }
}

/// A body that fails once its deadline passes before its last frame.
struct DeadlineBody<B> {
    inner: B,
    deadline: Pin<Box<Sleep>>,
    budget: Duration,
}

impl<B> DeadlineBody<B> {
    fn new(inner: B, budget: Duration) -> Self {
        DeadlineBody { inner, deadline: Box::pin(tokio::time::sleep(budget)), budget }
    }
}

impl<B> Body for DeadlineBody<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(frame) => Poll::Ready(frame.map(|result| result.map_err(Into::into))),
            Poll::Pending => match this.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(BodyTimedOut(this.budget))))),
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::time::Instant;

    use axum::routing::{get, post};

    use super::*;

    async fn start(limits: HttpLimits) -> (SocketAddr, CancellationToken) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let app = Router::new()
            .route("/", get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move { peer.ip().to_string() }))
            .route("/echo", post(|body: Bytes| async move { body }));
        let shutdown = CancellationToken::new();
        tokio::spawn(serve_http(listener, app, limits, shutdown.clone()));
        (address, shutdown)
    }

    /// Writes `start` on a new connection; how long until the server closed it (None: not
    /// within `patience`), and what it answered.
    async fn held(address: SocketAddr, start: &'static str, patience: Duration) -> (Option<Duration>, String) {
        tokio::task::spawn_blocking(move || {
            let mut tcp = std::net::TcpStream::connect(address).unwrap();
            tcp.write_all(start.as_bytes()).unwrap();
            tcp.set_read_timeout(Some(patience)).unwrap();
            let began = Instant::now();
            let mut answer = Vec::new();
            let closed = match tcp.read_to_end(&mut answer) {
                Ok(_) => Some(began.elapsed()),
                Err(error) if matches!(error.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                    None
                }
                Err(_) => Some(began.elapsed()),
            };
            (closed, String::from_utf8_lossy(&answer).into_owned())
        })
        .await
        .unwrap()
    }

    fn short() -> HttpLimits {
        HttpLimits {
            header_read_timeout: Duration::from_millis(300),
            body_read_timeout: Duration::from_millis(300),
            max_connections: 2,
        }
    }

    #[tokio::test]
    async fn partial_headers_and_bodies_are_cut_off() {
        let (address, shutdown) = start(short()).await;
        let (closed, _) = held(address, "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ", Duration::from_secs(5)).await;
        assert!(closed.is_some_and(|after| after < Duration::from_secs(3)), "{closed:?}");
        let (closed, answer) =
            held(address, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc", Duration::from_secs(5))
                .await;
        assert!(closed.is_some_and(|after| after < Duration::from_secs(3)), "{closed:?}");
        assert!(!answer.contains("200 OK"), "{answer}");
        let (_, answer) =
            held(address, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", Duration::from_secs(5)).await;
        assert!(answer.starts_with("HTTP/1.1 200") && answer.ends_with("127.0.0.1"), "{answer}");
        shutdown.cancel();
    }

    #[tokio::test]
    async fn connections_over_the_limit_wait_for_one_to_close() {
        let limits = HttpLimits { header_read_timeout: Duration::from_secs(30), ..short() };
        let (address, shutdown) = start(limits).await;
        let first = std::net::TcpStream::connect(address).unwrap();
        let second = std::net::TcpStream::connect(address).unwrap();
        let request = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        let (closed, answer) = held(address, request, Duration::from_millis(700)).await;
        assert!(closed.is_none() && answer.is_empty(), "a third connection is served at once: {answer}");
        drop((first, second));
        let (closed, answer) = held(address, request, Duration::from_secs(5)).await;
        assert!(closed.is_some() && answer.starts_with("HTTP/1.1 200"), "{answer}");
        shutdown.cancel();
    }
}
