//! The client's address behind proxies. Behind an ingress or a load balancer every request comes
//! from the proxy's address, so sign-in throttling keyed on it would hold back everyone at once.
//! Only a proxy the operator named (`trusted_proxies`, `ATQ_TRUSTED_PROXIES`) is believed when it
//! says whom it forwards for: `X-Forwarded-For` is read from the right, each trusted hop is
//! skipped, and the first address that is not trusted is the client. Anything a client writes
//! further left is its own claim and ignored; a request straight from an untrusted peer keeps the
//! peer's address whatever its headers say.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use anyhow::Context;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;

const FORWARDED_FOR: &str = "x-forwarded-for";
/// Hops read at most: a real chain of proxies is a handful long.
const MAX_HOPS: usize = 32;

/// An address block: `10.0.0.0/8`, `fd00::/8`, or one address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Network {
    address: IpAddr,
    prefix: u32,
}

impl Network {
    fn parse(text: &str) -> anyhow::Result<Network> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let address: IpAddr = address.parse().with_context(|| format!("{text:?} is not an address or network"))?;
        let address = address.to_canonical();
        let bits = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(prefix) => prefix.parse().ok().filter(|p| *p <= bits),
            None => Some(bits),
        };
        let prefix = prefix.with_context(|| format!("{text:?}: the prefix length must be 0 to {bits}"))?;
        Ok(Network { address, prefix })
    }

    fn contains(&self, address: IpAddr) -> bool {
        match (self.address, address.to_canonical()) {
            (IpAddr::V4(network), IpAddr::V4(address)) => {
                same_prefix(u128::from(network.to_bits()) << 96, u128::from(address.to_bits()) << 96, self.prefix)
            }
            (IpAddr::V6(network), IpAddr::V6(address)) => {
                same_prefix(network.to_bits(), address.to_bits(), self.prefix)
            }
            _ => false,
        }
    }
}

/// Whether the first `prefix` bits of two left-aligned addresses agree.
fn same_prefix(left: u128, right: u128, prefix: u32) -> bool {
    let mask = u128::MAX.checked_shl(128 - prefix).unwrap_or(0);
    left & mask == right & mask
}

/// The proxies whose `X-Forwarded-For` is believed; none by default.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Vec<Network>);

impl TrustedProxies {
    /// A list of addresses and networks separated by commas or spaces (`10.0.0.0/8, ::1`); an
    /// empty list trusts no proxy.
    pub fn parse(list: &str) -> anyhow::Result<TrustedProxies> {
        let networks = list.split([',', ' ', '\t', '\n']).filter(|item| !item.is_empty()).map(Network::parse);
        Ok(TrustedProxies(networks.collect::<anyhow::Result<_>>().context("trusted_proxies")?))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn trusts(&self, address: IpAddr) -> bool {
        self.0.iter().any(|network| network.contains(address))
    }

    /// The client a request from `peer` speaks for: the rightmost `X-Forwarded-For` address that
    /// is not a trusted proxy, when `peer` is one. An entry that is not an address ends the walk
    /// at the hop that forwarded it; a chain of trusted hops only names its leftmost one.
    pub fn client_of(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let values: Vec<&str> =
            headers.get_all(FORWARDED_FOR).iter().map(|value| value.to_str().unwrap_or("garbage")).collect();
        let hops = values.iter().rev().flat_map(|value| value.rsplit(',')).take(MAX_HOPS);
        let mut client = peer;
        for hop in hops {
            let Some(address) = hop_address(hop.trim()) else {
                return client;
            };
            client = address.to_canonical();
            if !self.trusts(client) {
                return client;
            }
        }
        client
    }
}

/// `203.0.113.7`, `2001:db8::1`, or either with a port (`203.0.113.7:4711`, `[2001:db8::1]:4711`).
fn hop_address(hop: &str) -> Option<IpAddr> {
    hop.parse().ok().or_else(|| hop.parse::<SocketAddr>().ok().map(|socket| socket.ip()))
}

/// The client's address as [`TrustedProxies::client_of`] decided it, for the handlers that key on
/// it (sign-in throttling).
#[derive(Clone, Copy, Debug)]
pub struct ForwardedClient(pub IpAddr);

/// Middleware: records the [`ForwardedClient`] of each request.
pub async fn resolve_client(State(trusted): State<Arc<TrustedProxies>>, mut request: Request, next: Next) -> Response {
    if let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>().copied() {
        let client = trusted.client_of(peer.ip(), request.headers());
        request.extensions_mut().insert(ForwardedClient(client));
    }
    next.run(request).await
}

/// `app` reading clients through `trusted` proxies (unchanged when none is trusted).
pub fn layer(app: axum::Router, trusted: TrustedProxies) -> axum::Router {
    if trusted.is_empty() {
        return app;
    }
    app.layer(axum::middleware::from_fn_with_state(Arc::new(trusted), resolve_client))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(FORWARDED_FOR, value.parse().unwrap());
        }
        headers
    }

    #[test]
    fn networks_and_single_addresses_are_read_and_bad_ones_refused() {
        let trusted = TrustedProxies::parse("10.0.0.0/8, 192.168.1.7 fd00::/8,::1").unwrap();
        for inside in ["10.200.3.4", "192.168.1.7", "fd12::9", "::1", "::ffff:10.1.1.1"] {
            assert!(trusted.trusts(address(inside)), "{inside}");
        }
        for outside in ["11.0.0.1", "192.168.1.8", "fe80::1", "::2", "203.0.113.7"] {
            assert!(!trusted.trusts(address(outside)), "{outside}");
        }
        assert!(TrustedProxies::parse("").unwrap().is_empty());
        assert!(TrustedProxies::parse("0.0.0.0/0").unwrap().trusts(address("203.0.113.7")));
        for bad in ["10.0.0.0/33", "fd00::/129", "ten.0.0.0/8", "10.0.0.0/", "10.0.0.0/-1"] {
            assert!(TrustedProxies::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let trusted = TrustedProxies::parse("10.0.0.0/8").unwrap();
        let headers = forwarded(&["198.51.100.1"]);
        assert_eq!(trusted.client_of(address("203.0.113.7"), &headers), address("203.0.113.7"));
        assert_eq!(TrustedProxies::default().client_of(address("10.0.0.5"), &headers), address("10.0.0.5"));
    }

    #[test]
    fn behind_trusted_proxies_the_rightmost_untrusted_hop_is_the_client() {
        let trusted = TrustedProxies::parse("10.0.0.0/8").unwrap();
        let ingress = address("10.0.0.5");
        // The client claims 1.1.1.1 itself; the ingress appended the address it saw.
        let headers = forwarded(&["1.1.1.1, 203.0.113.7"]);
        assert_eq!(trusted.client_of(ingress, &headers), address("203.0.113.7"));
        // Two proxies, the header split over two lines as some proxies send it.
        let headers = forwarded(&["1.1.1.1, 203.0.113.7", "10.1.2.3"]);
        assert_eq!(trusted.client_of(ingress, &headers), address("203.0.113.7"));
        let headers = forwarded(&["[2001:db8::7]:4711, 10.9.9.9:80"]);
        assert_eq!(trusted.client_of(ingress, &headers), address("2001:db8::7"));
    }

    #[test]
    fn a_missing_or_garbled_header_stops_at_the_last_trusted_hop() {
        let trusted = TrustedProxies::parse("10.0.0.0/8").unwrap();
        let ingress = address("10.0.0.5");
        assert_eq!(trusted.client_of(ingress, &HeaderMap::new()), ingress);
        let headers = forwarded(&["203.0.113.7, not-an-address, 10.1.2.3"]);
        assert_eq!(trusted.client_of(ingress, &headers), address("10.1.2.3"));
        let headers = forwarded(&["10.7.7.7, 10.1.2.3"]);
        assert_eq!(trusted.client_of(ingress, &headers), address("10.7.7.7"), "only trusted hops");
    }

    /// What the sign-in handlers see as the client of a request from `peer`.
    async fn client_seen(trusted: &str, peer: &str, forwarded_for: Option<&str>) -> String {
        use tower::ServiceExt;
        let app = axum::Router::new().route(
            "/",
            axum::routing::get(|crate::auth::ClientAddress(client): crate::auth::ClientAddress| async move {
                client.to_string()
            }),
        );
        let app = layer(app, TrustedProxies::parse(trusted).unwrap());
        let mut request = axum::http::Request::get("/");
        if let Some(value) = forwarded_for {
            request = request.header(FORWARDED_FOR, value);
        }
        let mut request = request.body(axum::body::Body::empty()).unwrap();
        request.extensions_mut().insert(ConnectInfo(SocketAddr::new(address(peer), 40_000)));
        let response = app.oneshot(request).await.unwrap();
        let body = axum::body::to_bytes(response.into_body(), 1024).await.unwrap();
        String::from_utf8(body.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn the_sign_in_handlers_see_the_forwarded_client_only_through_a_trusted_proxy() {
        assert_eq!(client_seen("10.0.0.0/8", "10.0.0.5", Some("203.0.113.7")).await, "203.0.113.7");
        assert_eq!(client_seen("10.0.0.0/8", "198.51.100.9", Some("203.0.113.7")).await, "198.51.100.9");
        assert_eq!(client_seen("", "10.0.0.5", Some("203.0.113.7")).await, "10.0.0.5", "no proxy trusted by default");
    }

    #[test]
    fn each_client_behind_the_ingress_is_throttled_on_its_own() {
        let (trusted, guard) = (TrustedProxies::parse("10.0.0.0/8").unwrap(), super::super::LoginGuard::new(1));
        let ingress = address("10.0.0.5");
        let attacker = trusted.client_of(ingress, &forwarded(&["203.0.113.66"]));
        let user = trusted.client_of(ingress, &forwarded(&["198.51.100.20"]));
        for n in 0..50 {
            guard.failed(&format!("guess{n}"), attacker);
        }
        assert!(guard.check("someone", attacker).is_err(), "the guesser waits");
        assert_eq!(guard.check("someone", user), Ok(()), "another client through the same ingress does not");
    }
}
