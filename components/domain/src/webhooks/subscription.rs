//! What a subscription is made of, each parsed once: the receiver's URL (`WebhookUrl`), the
//! event types it wants (`parse_event_types`, over `crate::events::EventType`), and the secret
//! its deliveries are signed with (`SubscriptionSecret`). `AllowedHost` is the operator's
//! outbound host pattern (the `webhook_hosts` Spin variable, the same value spin.toml grants in
//! `allowed_outbound_hosts`), so that a URL Spin would refuse to call is refused when the
//! subscription is made, not discovered by its deliveries failing.

use crate::events::EventType;

use super::WebhookError;

/// Longest URL accepted.
pub const MAX_URL_LEN: usize = 2048;

/// A receiver's URL: `http` or `https`, a host, an optional port and path; no credentials
/// (they would sit in logs and listings) and no fragment (never sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl {
    raw: String,
    scheme: &'static str,
    host: String,
    port: u16,
}

impl WebhookUrl {
    pub fn parse(raw: &str) -> Result<WebhookUrl, &'static str> {
        if raw.is_empty() || raw.len() > MAX_URL_LEN {
            return Err("must be an http or https URL of at most 2048 characters");
        }
        if !raw.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("must not contain spaces or non-ASCII characters (percent-encode them)");
        }
        let (scheme, rest) = raw
            .split_once("://")
            .ok_or("must start with http:// or https://")?;
        let scheme = match scheme.to_ascii_lowercase().as_str() {
            "http" => "http",
            "https" => "https",
            _ => return Err("the scheme must be http or https"),
        };
        if rest.contains('#') {
            return Err("must not have a fragment");
        }
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        if authority.contains('@') {
            return Err("must not carry credentials; the signature authenticates the shop");
        }
        let (host, port) = split_host_port(authority)?;
        let port = match port {
            Some(p) => p,
            None if scheme == "https" => 443,
            None => 80,
        };
        Ok(WebhookUrl {
            raw: raw.to_owned(),
            scheme,
            host: host.to_ascii_lowercase(),
            port,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.raw
    }

    pub fn scheme(&self) -> &'static str {
        self.scheme
    }

    /// The host, lower-case (an IPv6 literal keeps its brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port, the scheme's default when the URL names none.
    pub fn port(&self) -> u16 {
        self.port
    }
}

fn split_host_port(authority: &str) -> Result<(&str, Option<u16>), &'static str> {
    let (host, port) = if authority.starts_with('[') {
        let end = authority
            .find(']')
            .ok_or("the IPv6 host is not closed with ]")?;
        let (host, rest) = authority.split_at(end + 1);
        match rest {
            "" => (host, None),
            _ => (
                host,
                Some(
                    rest.strip_prefix(':')
                        .ok_or("unexpected text after the host")?,
                ),
            ),
        }
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let plain_host_ok = host
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    if host.is_empty() || host == "[]" {
        return Err("must name a host");
    }
    if !host.starts_with('[') && !plain_host_ok {
        return Err("the host may contain only letters, digits, '.' and '-'");
    }
    let port = match port {
        None => None,
        Some(p) => Some(
            p.parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or("the port must be a number from 1 to 65535")?,
        ),
    };
    Ok((host, port))
}

/// The secret a subscription's deliveries are signed with. Its UTF-8 bytes are the HMAC key,
/// so a receiver uses it exactly as shown at creation.
#[derive(Clone, PartialEq, Eq)]
pub struct SubscriptionSecret(String);

impl std::fmt::Debug for SubscriptionSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SubscriptionSecret(..)")
    }
}

impl SubscriptionSecret {
    pub const MIN_LEN: usize = 24;
    pub const MAX_LEN: usize = 128;
    /// Prefix of generated secrets, so they are recognisable in a receiver's configuration.
    pub const GENERATED_PREFIX: &'static str = "whsec_";

    /// A secret chosen by the integrator: 24 to 128 visible ASCII characters, not looking
    /// like a sealed value (`sealed:`), which the store would take for one.
    pub fn parse(raw: &str) -> Result<SubscriptionSecret, &'static str> {
        let ok = (Self::MIN_LEN..=Self::MAX_LEN).contains(&raw.len())
            && raw.bytes().all(|b| b.is_ascii_graphic());
        if !ok {
            Err("must be 24 to 128 visible ASCII characters")
        } else if raw.starts_with("sealed:") {
            Err("must not start with sealed:")
        } else {
            Ok(SubscriptionSecret(raw.to_owned()))
        }
    }

    /// A generated secret: `whsec_` and 32 random bytes in hex (the edge brings the bytes
    /// from the platform's random source).
    pub fn generate(random: [u8; 32]) -> SubscriptionSecret {
        let mut secret = String::from(Self::GENERATED_PREFIX);
        for b in random {
            secret.push_str(&format!("{b:02x}"));
        }
        SubscriptionSecret(secret)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

/// At most this many event types in one subscription (every type, once each).
pub const MAX_EVENT_TYPES: usize = EventType::ALL.len();

/// The event types of a subscription: 1 or more known types, each once. A problem names the
/// entry at fault (`event_types[2]`).
pub fn parse_event_types(raw: &[String]) -> Result<Vec<EventType>, WebhookError> {
    if raw.is_empty() {
        return Err(WebhookError::invalid(
            "event_types",
            "name at least one event type",
        ));
    }
    let known = || {
        EventType::ALL
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut types = Vec::with_capacity(raw.len());
    for (i, name) in raw.iter().enumerate() {
        let field = format!("event_types[{i}]");
        let Some(t) = EventType::parse(name) else {
            return Err(WebhookError::invalid(
                field,
                format!("unknown event type; known: {}", known()),
            ));
        };
        if types.contains(&t) {
            return Err(WebhookError::invalid(field, format!("{t} is listed twice")));
        }
        types.push(t);
    }
    Ok(types)
}

/// A subscription as asked for, every part parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct SubscriptionDraft {
    pub url: WebhookUrl,
    pub event_types: Vec<EventType>,
    pub secret: SubscriptionSecret,
}

/// One outbound host pattern in Spin's `allowed_outbound_hosts` syntax
/// (`scheme://host[:port]`): scheme `*` or a name; host `*`, `*.domain` or exact; port `*`, a
/// number, a range `a..b` (end excluded, as Spin reads it), or none (the scheme's default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedHost {
    scheme: Option<String>,
    host: HostPattern,
    ports: PortPattern,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum HostPattern {
    Any,
    Subdomain(String),
    Exact(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PortPattern {
    Any,
    Range(u16, u16),
    Default,
}

impl AllowedHost {
    pub fn parse(pattern: &str) -> Result<AllowedHost, &'static str> {
        let pattern = pattern.trim();
        let (scheme, rest) = pattern.split_once("://").ok_or("no scheme")?;
        let rest = rest.trim_end_matches('/');
        if rest.contains('/') {
            return Err("a host pattern has no path");
        }
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) if !p.contains(']') => (h, Some(p)),
            _ => (rest, None),
        };
        let host = host.to_ascii_lowercase();
        let host = match host.as_str() {
            "" => return Err("no host"),
            "*" => HostPattern::Any,
            h => match h.strip_prefix("*.") {
                Some(domain) if !domain.contains('*') => {
                    HostPattern::Subdomain(format!(".{domain}"))
                }
                _ if h.contains('*') => {
                    return Err("'*' only as the whole host or its first label");
                }
                _ => HostPattern::Exact(h.to_owned()),
            },
        };
        let ports = match port {
            None | Some("") => PortPattern::Default,
            Some("*") => PortPattern::Any,
            Some(p) => match p.split_once("..") {
                Some((a, b)) => PortPattern::Range(
                    a.parse().map_err(|_| "bad port range")?,
                    b.parse().map_err(|_| "bad port range")?,
                ),
                None => {
                    let n: u16 = p.parse().map_err(|_| "bad port")?;
                    PortPattern::Range(n, n.saturating_add(1))
                }
            },
        };
        let scheme = (scheme != "*").then(|| scheme.to_ascii_lowercase());
        Ok(AllowedHost {
            scheme,
            host,
            ports,
        })
    }

    /// Whether Spin would let the component call `url`.
    pub fn allows(&self, url: &WebhookUrl) -> bool {
        let scheme_ok = self.scheme.as_deref().is_none_or(|s| s == url.scheme());
        let host = url.host();
        let host_ok = match &self.host {
            HostPattern::Any => true,
            HostPattern::Subdomain(domain) => host.ends_with(domain.as_str()),
            HostPattern::Exact(exact) => exact == host,
        };
        let port_ok = match self.ports {
            PortPattern::Any => true,
            PortPattern::Range(a, b) => (a..b).contains(&url.port()),
            PortPattern::Default => match url.scheme() {
                "https" => url.port() == 443,
                _ => url.port() == 80,
            },
        };
        scheme_ok && host_ok && port_ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_and_https_urls_with_a_host_are_accepted() {
        let url = WebhookUrl::parse("https://Hooks.Example.com/shop/events?src=o2o").unwrap();
        assert_eq!(
            (url.scheme(), url.host(), url.port()),
            ("https", "hooks.example.com", 443)
        );
        assert_eq!(
            url.as_str(),
            "https://Hooks.Example.com/shop/events?src=o2o"
        );
        let url = WebhookUrl::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!((url.host(), url.port()), ("127.0.0.1", 8080));
        let url = WebhookUrl::parse("http://[::1]:9000/x").unwrap();
        assert_eq!((url.host(), url.port()), ("[::1]", 9000));
    }

    #[test]
    fn urls_without_a_host_or_of_another_scheme_are_refused() {
        for bad in [
            "",
            "example.com/hook",
            "ftp://example.com/hook",
            "https://",
            "https:///path",
            "https://:443/x",
            "https://user:pw@example.com/",
            "https://example.com/#frag",
            "https://exa mple.com/",
            "https://example.com:0/",
            "https://example.com:99999/",
            "https://example.com:http/",
            "https://ex_ample.com/",
            "javascript://alert(1)",
        ] {
            assert!(WebhookUrl::parse(bad).is_err(), "{bad:?}");
        }
        let long = format!("https://example.com/{}", "a".repeat(MAX_URL_LEN));
        assert!(WebhookUrl::parse(&long).is_err());
    }

    #[test]
    fn secrets_are_long_visible_ascii_and_generated_ones_are_hex() {
        assert!(SubscriptionSecret::parse("short").is_err());
        assert!(SubscriptionSecret::parse(&"x".repeat(129)).is_err());
        assert!(SubscriptionSecret::parse("a secret with spaces in it!!").is_err());
        let chosen = SubscriptionSecret::parse("my-integration-secret-0001").unwrap();
        assert_eq!(chosen.as_bytes(), b"my-integration-secret-0001");
        let generated = SubscriptionSecret::generate([0xab; 32]);
        assert_eq!(generated.expose(), format!("whsec_{}", "ab".repeat(32)));
        assert!(SubscriptionSecret::parse(generated.expose()).is_ok());
        assert_eq!(format!("{generated:?}"), "SubscriptionSecret(..)");
    }

    #[test]
    fn event_types_must_be_known_named_once_and_at_least_one() {
        let names = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            parse_event_types(&names(&["stock.low", "order.placed"])).unwrap(),
            vec![EventType::StockLow, EventType::OrderPlaced]
        );
        let field = |r: Result<Vec<EventType>, WebhookError>| match r {
            Err(WebhookError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(parse_event_types(&[])), "event_types");
        assert_eq!(
            field(parse_event_types(&names(&["stock.low", "order.shipped"]))),
            "event_types[1]"
        );
        assert_eq!(
            field(parse_event_types(&names(&["stock.low", "stock.low"]))),
            "event_types[1]"
        );
    }

    #[test]
    fn allowed_host_patterns_read_as_spin_reads_them() {
        let url = |u: &str| WebhookUrl::parse(u).unwrap();
        let loopback = AllowedHost::parse("http://127.0.0.1:*").unwrap();
        assert!(loopback.allows(&url("http://127.0.0.1:41234/hook")));
        assert!(!loopback.allows(&url("https://127.0.0.1:41234/hook")));
        assert!(!loopback.allows(&url("http://10.0.0.1:41234/hook")));

        let partners = AllowedHost::parse("https://*.partner.example").unwrap();
        assert!(partners.allows(&url("https://hooks.partner.example/x")));
        assert!(!partners.allows(&url("https://partner.example/x")));
        assert!(!partners.allows(&url("https://hooks.partner.example:8443/x")));

        let ranged = AllowedHost::parse("*://hooks.example:8000..8010").unwrap();
        assert!(ranged.allows(&url("http://hooks.example:8009/")));
        assert!(!ranged.allows(&url("https://hooks.example:8010/")));

        let nowhere = AllowedHost::parse("https://webhooks.invalid").unwrap();
        assert!(!nowhere.allows(&url("https://example.com/")));

        for bad in [
            "example.com",
            "https://",
            "https://a*.example",
            "https://x/y",
        ] {
            assert!(AllowedHost::parse(bad).is_err(), "{bad}");
        }
    }
}
