//! What may be shown of an RPC URL. Such URLs often carry an API key (in the path, the
//! query or as user info), and errors name the URL they failed on; logs and `/health`
//! keep only the scheme and host.

/// `text` with every URL in it cut to its scheme and host, user info dropped; `/…`
/// marks a cut path or query.
pub fn without_url_secrets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (before, after) = rest.split_at(at + 3);
        out.push_str(before);
        let end = after
            .find(|c: char| c.is_whitespace() || matches!(c, ')' | '"' | '\'' | '>' | ','))
            .unwrap_or(after.len());
        let authority_end = after[..end].find(['/', '?', '#']).unwrap_or(end);
        let authority = &after[..authority_end];
        out.push_str(
            authority
                .rsplit_once('@')
                .map_or(authority, |(_, host)| host),
        );
        if authority_end < end {
            out.push_str("/…");
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_host_of_a_url_but_not_its_key() {
        let error = "getSlot failed, retrying: error sending request for url \
                     (https://user:pw@rpc.example.com/v2/KEY?api-key=SECRET): timed out";
        let shown = without_url_secrets(error);
        assert_eq!(
            shown,
            "getSlot failed, retrying: error sending request for url \
             (https://rpc.example.com/…): timed out"
        );
        for secret in ["KEY", "SECRET", "user", "pw"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert_eq!(without_url_secrets("no address here"), "no address here");
        assert_eq!(without_url_secrets("ends with ://"), "ends with ://");
        assert_eq!(
            without_url_secrets("http://127.0.0.1:8899"),
            "http://127.0.0.1:8899"
        );
    }
}
