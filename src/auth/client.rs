//! Who is asking, as far as limits are concerned: the address the
//! connection comes from, or, behind a reverse proxy the operator trusts,
//! the rightmost address in `X-Forwarded-For` that is not one of those
//! proxies. Anything left of that hop was written by the client and could
//! name anyone, so it is never believed.

use std::net::{IpAddr, SocketAddr};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::{Ready, ready};

use crate::errors::ApiError;
use crate::state::AppState;

/// The reverse proxies whose `X-Forwarded-For` is believed.
#[derive(Clone, Debug, Default)]
pub struct Proxies(Vec<(IpAddr, u8)>);

impl Proxies {
    /// Parses `LIVINGROOM_TRUSTED_PROXIES`: addresses or ranges, comma-separated.
    pub fn parse(list: &str) -> anyhow::Result<Proxies> {
        let mut ranges = Vec::new();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (addr, bits) = match item.split_once('/') {
                Some((addr, bits)) => (addr, Some(bits)),
                None => (item, None),
            };
            let addr: IpAddr = addr
                .parse()
                .map_err(|_| anyhow::anyhow!("LIVINGROOM_TRUSTED_PROXIES: {item:?} is not an address"))?;
            let addr = addr.to_canonical();
            let width = if addr.is_ipv4() { 32 } else { 128 };
            let bits = match bits {
                Some(b) => b
                    .parse::<u8>()
                    .ok()
                    .filter(|b| *b <= width)
                    .ok_or_else(|| anyhow::anyhow!("LIVINGROOM_TRUSTED_PROXIES: bad range {item:?}"))?,
                None => width,
            };
            ranges.push((addr, bits));
        }
        Ok(Proxies(ranges))
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|&(net, bits)| match (net, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                prefix_eq(u32::from(net).into(), u32::from(ip).into(), bits, 32)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => prefix_eq(u128::from(net), u128::from(ip), bits, 128),
            _ => false,
        })
    }

    /// The client behind `peer`, given the `X-Forwarded-For` values in the
    /// order the headers arrived.
    pub fn client<'a>(&self, peer: IpAddr, forwarded_for: impl Iterator<Item = &'a str>) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.contains(client) {
            return client;
        }
        let hops: Vec<&str> = forwarded_for.flat_map(|v| v.split(',')).map(str::trim).collect();
        for hop in hops.into_iter().rev() {
            // A hop that is not an address ends the trail: what lies left of
            // it cannot be attributed, so the last proxy stands for it.
            let Some(ip) = parse_hop(hop) else { break };
            client = ip;
            if !self.contains(ip) {
                break;
            }
        }
        client
    }
}

fn prefix_eq(a: u128, b: u128, bits: u8, width: u8) -> bool {
    if bits == 0 {
        return true;
    }
    let shift = u32::from(width - bits);
    (a >> shift) == (b >> shift)
}

fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .or_else(|_| hop.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

/// The client address of a request (see the module's doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

impl ClientAddress {
    pub fn of(req: &HttpRequest) -> ClientAddress {
        let peer = req.peer_addr().map_or(IpAddr::from([0, 0, 0, 0]), |p| p.ip());
        let forwarded = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok());
        match req.app_data::<web::Data<AppState>>() {
            Some(state) => ClientAddress(state.limits.proxies.client(peer, forwarded)),
            None => ClientAddress(peer.to_canonical()),
        }
    }

    /// Loopback, and not relayed by any proxy (a proxy on this machine that
    /// is not configured as trusted would otherwise make everyone local).
    pub fn is_local(&self, req: &HttpRequest) -> bool {
        self.0.is_loopback()
            && !req.headers().contains_key("x-forwarded-for")
            && !req.headers().contains_key("forwarded")
    }
}

impl FromRequest for ClientAddress {
    type Error = ApiError;
    type Future = Ready<Result<ClientAddress, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(ClientAddress::of(req)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client() {
        let none = Proxies::default();
        assert_eq!(
            none.client(ip("127.0.0.1"), ["203.0.113.7"].into_iter()),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn the_rightmost_untrusted_hop_is_the_client() {
        let p = Proxies::parse("127.0.0.1, 10.0.0.0/8").unwrap();
        // The client wrote the first hop itself: it is not believed.
        let xff = ["198.51.100.1, 203.0.113.7", "10.1.2.3"];
        assert_eq!(p.client(ip("127.0.0.1"), xff.into_iter()), ip("203.0.113.7"));
        // An untrusted peer's header is ignored altogether.
        assert_eq!(p.client(ip("192.0.2.5"), xff.into_iter()), ip("192.0.2.5"));
        // Nothing forwarded: the proxy itself.
        assert_eq!(p.client(ip("127.0.0.1"), std::iter::empty()), ip("127.0.0.1"));
        // Garbage ends the trail at the last proxy.
        assert_eq!(
            p.client(ip("127.0.0.1"), ["203.0.113.7, junk"].into_iter()),
            ip("127.0.0.1")
        );
        // IPv4 written as IPv6 is the same address.
        assert_eq!(
            p.client(ip("::ffff:127.0.0.1"), ["203.0.113.8"].into_iter()),
            ip("203.0.113.8")
        );
    }

    #[test]
    fn ranges_match_by_prefix() {
        let p = Proxies::parse("10.0.0.0/8,fd00::/8").unwrap();
        assert!(p.contains(ip("10.255.0.1")) && !p.contains(ip("11.0.0.1")));
        assert!(p.contains(ip("fd12::1")) && !p.contains(ip("fe80::1")));
        assert!(Proxies::parse("10.0.0.0/33").is_err());
        assert!(Proxies::parse("localhost").is_err());
        assert!(Proxies::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
    }
}
