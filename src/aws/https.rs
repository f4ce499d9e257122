//! The one HTTPS stack: the SDK's own connector (rustls on aws-lc, the OS's CA roots, proxies
//! from the environment), used by every SDK client and by the calls that are no SDK operation
//! (the console federation endpoint). A TLS-inspecting proxy whose CA the OS trusts works for
//! all of them or for none.

use std::time::Duration;

use anyhow::{Result, anyhow, bail};
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_http_client::{Connector, ConnectorBuilder};
use aws_smithy_runtime_api::client::http::{
    HttpConnector, HttpConnectorSettings, SharedHttpClient,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::byte_stream::ByteStream;

/// The connector for `settings`, as the SDK's default HTTPS client builds it.
fn connector(
    settings: Option<&HttpConnectorSettings>,
    components: Option<&RuntimeComponents>,
) -> Connector {
    let mut builder =
        ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc));
    builder.set_connector_settings(settings.cloned());
    builder.set_sleep_impl(components.and_then(|c| c.sleep_impl()));
    builder.set_proxy_config(Some(ProxyConfig::from_env()));
    builder.build()
}

/// The HTTP client of the process's `SdkConfig`.
pub(super) fn client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new().build_with_connector_fn(connector)
}

/// A GET of `url` accepting `accept`, within `timeout`: the status and at most `limit` bytes of
/// body. Redirects are not followed. Errors never show the URL: it may carry a credential.
pub async fn get(
    url: &str,
    accept: &str,
    timeout: Duration,
    limit: usize,
) -> Result<(u16, String)> {
    let settings = HttpConnectorSettings::builder()
        .connect_timeout(Duration::from_secs(5))
        .read_timeout(timeout)
        .build();
    let connector = connector(Some(&settings), None);
    let mut request = HttpRequest::get(url).map_err(|_| anyhow!("invalid request URL"))?;
    request.headers_mut().insert("Accept", accept.to_string());
    let exchange = async {
        let response = connector
            .call(request)
            .await
            .map_err(|e| anyhow!("{}", hide(url, &super::error::cause_chain(&e))))?;
        let status = response.status().as_u16();
        let mut body = ByteStream::new(response.into_body());
        let mut bytes = Vec::new();
        while let Some(chunk) = body.next().await {
            let chunk =
                chunk.map_err(|e| anyhow!("{}", hide(url, &super::error::cause_chain(&e))))?;
            if bytes.len() + chunk.len() > limit {
                bail!("the answer is larger than {limit} bytes");
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok((status, String::from_utf8_lossy(&bytes).into_owned()))
    };
    tokio::time::timeout(timeout, exchange)
        .await
        .map_err(|_| anyhow!("no answer within {}s", timeout.as_secs()))?
}

/// The status and `Date` header of a GET of `url` (the body is not read), within `timeout`:
/// what `vault doctor` compares the clock with. Errors never show the URL.
pub async fn date_of(url: &str, timeout: Duration) -> Result<(u16, Option<String>)> {
    // The connector's own limits are longer, so the one limit that fires is `timeout` below
    // (one message whatever stalls: the connection or the answer).
    let settings = HttpConnectorSettings::builder()
        .connect_timeout(timeout + Duration::from_secs(1))
        .read_timeout(timeout + Duration::from_secs(1))
        .build();
    let connector = connector(Some(&settings), None);
    let request = HttpRequest::get(url).map_err(|_| anyhow!("invalid request URL"))?;
    let exchange = async {
        let response = connector
            .call(request)
            .await
            .map_err(|e| anyhow!("{}", hide(url, &super::error::cause_chain(&e))))?;
        let date = response.headers().get("date").map(str::to_string);
        Ok((response.status().as_u16(), date))
    };
    tokio::time::timeout(timeout, exchange)
        .await
        .map_err(|_| anyhow!("no answer within {}s", timeout.as_secs()))?
}

/// `text` with `url` (and its query, should a message quote only that) cut out.
fn hide(url: &str, text: &str) -> String {
    let mut text = text.replace(url, "<url>");
    if let Some((_, query)) = url.split_once('?') {
        text = text.replace(query, "<query>");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_never_show_the_url_or_its_query() {
        let url = "https://s/federation?Action=getSigninToken&Session=secret";
        let shown = hide(
            url,
            &format!(
                "error sending {url}: refused; query {}",
                "Action=getSigninToken&Session=secret"
            ),
        );
        assert!(!shown.contains("secret"), "{shown}");
    }

    #[test]
    fn a_refused_connection_is_an_error_without_the_url() {
        // Port 1 on loopback: nothing listens there.
        let url = "http://127.0.0.1:1/federation?Session=secret";
        let err = super::super::runtime()
            .unwrap()
            .block_on(get(url, "application/json", Duration::from_secs(5), 1024))
            .unwrap_err()
            .to_string();
        assert!(!err.contains("secret"), "{err}");
    }
}
