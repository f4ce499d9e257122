//! Where an AWS call goes: the one rule, in the order the AWS SDKs use.

/// The services vault calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Sts,
    Iam,
    /// The IAM Identity Center portal (GetRoleCredentials).
    Sso,
    /// IAM Identity Center's OIDC service (the device flow).
    SsoOidc,
}

impl Service {
    /// The variables that name this service's endpoint, strongest first: the SDKs' own, then
    /// the name vault used before the SDKs had one.
    fn variables(self) -> &'static [&'static str] {
        match self {
            Service::Sts => &["AWS_ENDPOINT_URL_STS"],
            Service::Iam => &["AWS_ENDPOINT_URL_IAM"],
            Service::Sso => &["AWS_ENDPOINT_URL_SSO", "VAULT_SSO_PORTAL_ENDPOINT"],
            Service::SsoOidc => &["AWS_ENDPOINT_URL_SSO_OIDC", "VAULT_SSO_OIDC_ENDPOINT"],
        }
    }
}

/// Every variable that names an endpoint (what `Settings` reads).
pub(crate) const VARIABLES: &[&str] = &[
    "AWS_ENDPOINT_URL_STS",
    "AWS_ENDPOINT_URL_IAM",
    "AWS_ENDPOINT_URL_SSO",
    "VAULT_SSO_PORTAL_ENDPOINT",
    "AWS_ENDPOINT_URL_SSO_OIDC",
    "VAULT_SSO_OIDC_ENDPOINT",
    "AWS_ENDPOINT_URL",
];

/// AWS's global services need a region to sign for; STS and IAM default to the first one.
const DEFAULT_REGION: &str = "us-east-1";

/// STS's global endpoint, which `sts_regional_endpoints = legacy` asks for. It signs as
/// us-east-1 whatever the profile's region.
const STS_GLOBAL_URL: &str = "https://sts.amazonaws.com";

/// `sts_regional_endpoints` / AWS_STS_REGIONAL_ENDPOINTS: which STS endpoint AWS's own is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StsEndpoints {
    /// The global endpoint, sts.amazonaws.com.
    Legacy,
    /// The region's own, sts.REGION.amazonaws.com: the SDK's default.
    Regional,
}

impl std::str::FromStr for StsEndpoints {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text.trim() {
            "legacy" => Ok(StsEndpoints::Legacy),
            "regional" => Ok(StsEndpoints::Regional),
            _ => Err("is neither 'legacy' nor 'regional'".into()),
        }
    }
}

/// Where calls to one service go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The region the client is configured with (IAM is global: the SDK signs for the
    /// partition's IAM region whatever region is given).
    pub region: String,
    /// An explicit endpoint (emulators, VPC endpoints, proxies); `None` means AWS's own.
    pub url: Option<String>,
}

impl Endpoint {
    /// The service's variables > `AWS_ENDPOINT_URL` > the profile's `endpoint_url`; `region`
    /// falls back to us-east-1. The variables are the process's settings.
    pub fn resolve(
        service: Service,
        region: Option<&str>,
        profile_endpoint: Option<&str>,
    ) -> Endpoint {
        let set = &crate::settings::get().endpoints;
        Endpoint::resolve_with(service, region, profile_endpoint, |name| {
            set.get(name).cloned()
        })
    }

    fn resolve_with(
        service: Service,
        region: Option<&str>,
        profile_endpoint: Option<&str>,
        var: impl Fn(&str) -> Option<String>,
    ) -> Endpoint {
        let url = service
            .variables()
            .iter()
            .chain(&["AWS_ENDPOINT_URL"])
            .find_map(|name| var(name))
            .or_else(|| profile_endpoint.map(String::from));
        Endpoint {
            region: region.unwrap_or(DEFAULT_REGION).to_string(),
            url,
        }
    }

    /// STS's endpoint: [`Endpoint::resolve`], then, when no URL is set, the global endpoint
    /// for `legacy` (signed for us-east-1, as the global endpoint wants). `regional` is the
    /// SDK's own choice already. An explicit URL always wins.
    pub fn resolve_sts(
        region: Option<&str>,
        profile_endpoint: Option<&str>,
        mode: Option<StsEndpoints>,
    ) -> Endpoint {
        Endpoint::resolve(Service::Sts, region, profile_endpoint).with_sts_mode(mode)
    }

    fn with_sts_mode(self, mode: Option<StsEndpoints>) -> Endpoint {
        match (&self.url, mode) {
            (None, Some(StsEndpoints::Legacy)) => Endpoint {
                region: DEFAULT_REGION.to_string(),
                url: Some(STS_GLOBAL_URL.to_string()),
            },
            _ => self,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(service: Service, set: &[(&str, &str)], profile: Option<&str>) -> Option<String> {
        let var = |name: &str| {
            set.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        };
        Endpoint::resolve_with(service, Some("eu-west-1"), profile, var).url
    }

    #[test]
    fn the_service_variable_beats_the_general_one_which_beats_the_profile() {
        let all = [
            ("AWS_ENDPOINT_URL_STS", "http://sts"),
            ("AWS_ENDPOINT_URL_IAM", "http://iam"),
            ("AWS_ENDPOINT_URL", "http://all"),
        ];
        assert_eq!(
            resolve(Service::Sts, &all, Some("http://p")).unwrap(),
            "http://sts"
        );
        assert_eq!(
            resolve(Service::Iam, &all, Some("http://p")).unwrap(),
            "http://iam"
        );
        assert_eq!(
            resolve(Service::Sts, &all[2..], Some("http://p")).unwrap(),
            "http://all"
        );
        assert_eq!(
            resolve(Service::Iam, &all[..1], Some("http://p")).unwrap(),
            "http://p",
            "another service's variable does not count"
        );
        assert_eq!(resolve(Service::Sts, &[], None), None);
    }

    #[test]
    fn sso_takes_the_sdk_name_then_vaults_then_the_general_one() {
        let all = [
            ("AWS_ENDPOINT_URL_SSO", "http://sdk"),
            ("VAULT_SSO_PORTAL_ENDPOINT", "http://vault"),
            ("AWS_ENDPOINT_URL_SSO_OIDC", "http://oidc-sdk"),
            ("VAULT_SSO_OIDC_ENDPOINT", "http://oidc-vault"),
            ("AWS_ENDPOINT_URL", "http://all"),
        ];
        assert_eq!(resolve(Service::Sso, &all, None).unwrap(), "http://sdk");
        assert_eq!(
            resolve(Service::Sso, &all[1..], None).unwrap(),
            "http://vault"
        );
        assert_eq!(
            resolve(Service::SsoOidc, &all, None).unwrap(),
            "http://oidc-sdk"
        );
        assert_eq!(
            resolve(Service::SsoOidc, &all[3..], None).unwrap(),
            "http://oidc-vault"
        );
        assert_eq!(
            resolve(Service::SsoOidc, &all[4..], None).unwrap(),
            "http://all"
        );
    }

    #[test]
    fn legacy_sts_endpoints_mean_the_global_endpoint_unless_a_url_is_set() {
        let sts = |url: Option<&str>, mode| {
            Endpoint::resolve_with(Service::Sts, Some("eu-west-1"), url, |_| None)
                .with_sts_mode(mode)
        };
        assert_eq!(
            sts(None, Some(StsEndpoints::Legacy)),
            Endpoint {
                region: "us-east-1".into(),
                url: Some("https://sts.amazonaws.com".into())
            }
        );
        let regional = sts(None, Some(StsEndpoints::Regional));
        assert_eq!(
            (regional.region.as_str(), regional.url),
            ("eu-west-1", None)
        );
        let explicit = sts(Some("http://emulator"), Some(StsEndpoints::Legacy));
        assert_eq!(explicit.url.as_deref(), Some("http://emulator"));
        assert_eq!(explicit.region, "eu-west-1");
        assert!("global".parse::<StsEndpoints>().is_err());
    }

    #[test]
    fn the_region_defaults_to_us_east_1() {
        let endpoint = Endpoint::resolve_with(Service::Sts, None, None, |_| None);
        assert_eq!(endpoint.region, "us-east-1");
    }
}
