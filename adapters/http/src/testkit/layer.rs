//! The web layer on its own, as the transport of the layer's own tests.

use std::net::{IpAddr, Ipv4Addr};

use bytes::Bytes;
use http::{Request, Response, Uri};

use super::Transport;
use crate::AuthWeb;

/// Hands each request to [`AuthWeb::handle`] in-process, as an adapter mounting the
/// layer would: a path under the mount point (e.g. `/auth/login`) reaches the layer
/// relative to it (`/login`), any other path as it is. The request comes from
/// `192.0.2.7` (TEST-NET-1) unless told otherwise.
#[derive(Debug, Clone)]
pub struct LayerOnly {
    web: AuthWeb,
    peer: Option<IpAddr>,
}

impl LayerOnly {
    /// The transport to `web`, from peer `192.0.2.7`.
    pub fn new(web: AuthWeb) -> Self {
        Self {
            web,
            peer: Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7))),
        }
    }

    /// The same, from `peer` (`None`: a peer address the adapter did not know).
    #[must_use]
    pub fn from_peer(mut self, peer: Option<IpAddr>) -> Self {
        self.peer = peer;
        self
    }
}

impl Transport for LayerOnly {
    async fn send(&self, req: Request<Vec<u8>>) -> Response<Vec<u8>> {
        let (mut parts, body) = req.into_parts();
        let full = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
        let mount = self.web.mount_path().trim_end_matches('/');
        if let Some(rest) = full.strip_prefix(mount).filter(|_| !mount.is_empty()) {
            let relative = if rest.is_empty() || rest.starts_with('?') {
                Some(format!("/{rest}"))
            } else {
                rest.starts_with('/').then(|| rest.to_owned())
            };
            if let Some(relative) = relative {
                parts.uri = relative
                    .parse::<Uri>()
                    .unwrap_or_else(|e| panic!("{relative}: {e}"));
            }
        }
        let req = Request::from_parts(parts, Bytes::from(body));
        self.web.handle(req, self.peer).await.map(|b| b.to_vec())
    }
}
