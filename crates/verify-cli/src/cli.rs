//! The command line, as clap reads it.

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::failure::EXIT_CODES_HELP;

/// Send and check SMS one-time verification codes through TeleSign Verify or
/// dotdigital CPaaS Verify.
#[derive(Debug, Parser)]
#[command(name = "verify", version, after_help = EXIT_CODES_HELP)]
pub struct Cli {
    /// Print results and errors as one JSON object on stdout, for scripts.
    #[arg(long, global = true)]
    pub json: bool,

    /// Log what the HTTP stack does, on stderr, at the most detailed level
    /// its filter allows: the filter both adapters publish
    /// (LOG_FILTER_DIRECTIVES) hides every record that could carry the
    /// Authorization header, a key, a password or a code.
    #[arg(long, short = 'v', global = true)]
    pub verbose: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the whole flow for both providers, through both adapters and the
    /// neutral API, against the embedded sandbox (offline, on a loopback
    /// port) and report every step.
    Demo(DemoArgs),
    /// Run the provider simulator in the foreground until interrupted.
    Sandbox(SandboxArgs),
    /// TeleSign Verify operations.
    #[command(subcommand)]
    Telesign(TeleSignCommand),
    /// dotdigital CPaaS Verify operations.
    #[command(subcommand)]
    Dotdigital(DotdigitalCommand),
    /// Start a verification with the provider-neutral API (fails over to a
    /// backup provider when the primary's send fails with nothing sent).
    Start(StartArgs),
    /// Check a code with the provider-neutral API.
    Check(CheckArgs),
    /// How many SMS a text is sent as: its encoding (GSM-7 or UCS-2), its
    /// length in that encoding's units, its segments, and the characters
    /// that forced UCS-2. Sends nothing.
    Segments(SegmentsArgs),
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Seed of the deterministic sandbox (same seed, same ids and codes).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The loopback address for the sandbox (e.g. 127.0.0.1:8080); a free
    /// port on 127.0.0.1 when absent.
    #[arg(long)]
    pub listen: Option<std::net::SocketAddr>,
}

#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// The address to listen on (loopback by default; port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Seed of the deterministic sandbox; random when absent.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Hold every provider answer this long, e.g. `50ms` (a provider across
    /// a network); at most 1 hour. Waiting answers take no thread each.
    #[arg(long, value_name = "DURATION")]
    pub latency: Option<String>,
}

/// Options of every command that sends a request.
#[derive(Debug, Args, Clone, Default)]
pub struct SendOptions {
    /// Print the exact HTTP request that would be sent (request line, every
    /// header including Authorization, a blank line, the body) and send
    /// nothing. A Basic Authorization header is masked unless --show-secrets.
    #[arg(long)]
    pub print_request: bool,
    /// With --print-request: print a Basic Authorization header as it would
    /// be sent (it holds the API key or the password, readable by anyone who
    /// sees the output).
    #[arg(long, requires = "print_request")]
    pub show_secrets: bool,
    /// The Date to sign with --print-request, verbatim (an RFC 1123 date such as
    /// "Wed, 14 Dec 2016 18:20:12 GMT"); now when absent, and then an HMAC
    /// signature printed is a credential TeleSign accepts for 15 minutes (a
    /// warning says so).
    #[arg(long, requires = "print_request")]
    pub date: Option<String>,
    /// The nonce to sign with --print-request; a random UUID v4 when absent.
    #[arg(long, requires = "print_request")]
    pub nonce: Option<String>,
    /// Accept a plain http:// base URL that is not on loopback (credentials and
    /// codes then travel unencrypted).
    #[arg(long)]
    pub allow_plain_http: bool,
    /// Send through this HTTP proxy, `http://[user:password@]host[:port]`
    /// (through a CONNECT tunnel), instead of the environment's. Without it,
    /// HTTPS_PROXY (https:// URLs), HTTP_PROXY (http:// URLs), ALL_PROXY and
    /// NO_PROXY apply, lower-case forms too.
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,
    /// Ignore the environment's proxy variables (HTTPS_PROXY, HTTP_PROXY,
    /// ALL_PROXY, NO_PROXY): connect directly, or only through --proxy.
    #[arg(long)]
    pub no_proxy: bool,
}

/// The abuse shield and the store it (and the ledger) keeps its counts in.
#[derive(Debug, Args, Clone, Default)]
pub struct ShieldOptions {
    /// Pass every send (and code check) through the abuse shield first,
    /// with its default rules: per-number cooldown and windows, number
    /// blocks, client keys, premium-rate numbers, conversion breakers,
    /// wrong codes. A refusal exits 3 and sends nothing.
    #[arg(long)]
    pub guard: bool,
    /// The shield's rules from this TOML file (every rule may be left out
    /// and keeps its default; see docs/PROTOCOL-DECISIONS.md, "Abuse
    /// shield"). Implies --guard.
    #[arg(long, value_name = "FILE")]
    pub guard_rules: Option<std::path::PathBuf>,
    /// Where the shield's counts and the idempotency keys live: `memory`
    /// (this process only; the default) or
    /// `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]`, shared by every process
    /// using it. When Redis cannot answer, the send is refused (exit 3,
    /// rule store_unavailable): nothing is sent.
    #[arg(long, value_name = "memory|redis://HOST:PORT[/DB]")]
    pub store: Option<String>,
}

/// The shield's options of a command that sends a code.
#[derive(Debug, Args, Clone, Default)]
pub struct GuardOptions {
    #[command(flatten)]
    pub shield: ShieldOptions,
    /// Who asked, for the shield's per-client limit (an IP address, a user
    /// id, a device: `ip:192.0.2.1`); repeatable; never sent. Needs --guard.
    #[arg(long = "client-key", value_name = "KEY")]
    pub client_keys: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuthArg {
    /// Authorization: Basic, the key travels with every request.
    Basic,
    /// HMAC-SHA256 signature; the key never leaves the machine.
    Hmac,
}

/// TeleSign account settings.
#[derive(Debug, Args, Clone)]
pub struct TeleSignAccount {
    /// TeleSign customer id.
    #[arg(long, env = "TELESIGN_CUSTOMER_ID")]
    pub customer_id: Option<String>,
    /// TeleSign API key (base64, as the portal shows it).
    #[arg(long, env = "TELESIGN_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// How requests are authenticated.
    #[arg(long, value_enum, default_value_t = AuthArg::Hmac)]
    pub auth: AuthArg,
    /// TeleSign base URL (default `https://rest-ww.telesign.com`).
    #[arg(long)]
    pub base_url: Option<String>,
}

/// dotdigital account settings.
#[derive(Debug, Args, Clone)]
pub struct DotdigitalAccount {
    /// dotdigital API user name.
    #[arg(long, env = "DOTDIGITAL_USERNAME")]
    pub username: Option<String>,
    /// dotdigital API user password.
    #[arg(long, env = "DOTDIGITAL_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    /// dotdigital base URL (default `https://services.comapi.com`).
    #[arg(long)]
    pub base_url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum TeleSignCommand {
    /// Send a code by SMS (POST /v1/verify/sms).
    Send(TeleSignSendArgs),
    /// Send a code by voice call (POST /v1/verify/call).
    Voice(TeleSignVoiceArgs),
    /// Read a verification's delivery status, or with --code check a code
    /// (GET /v1/verify/{reference_id}[?verify_code=...]).
    Status(TeleSignStatusArgs),
    /// Tell TeleSign the user completed verification (PUT /v1/verify/completion/{reference_id}).
    Complete(TeleSignCompleteArgs),
    /// TeleSign's Verify API (verify.telesign.com): one process that tries
    /// several channels in order, finalized with the code the user typed.
    #[command(subcommand)]
    Verification(TeleSignVerificationCommand),
    /// Authenticate a callback TeleSign POSTed to you (its signature over the
    /// raw body, with your API key) and read it: a delivery report, or a
    /// Verify API callback. Sends nothing.
    Callback(TeleSignCallbackArgs),
}

/// TeleSign account settings for the Verify API: the same credentials,
/// another base URL.
#[derive(Debug, Args, Clone)]
pub struct TeleSignVerifyAccount {
    /// TeleSign customer id.
    #[arg(long, env = "TELESIGN_CUSTOMER_ID")]
    pub customer_id: Option<String>,
    /// TeleSign API key (base64, as the portal shows it).
    #[arg(long, env = "TELESIGN_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// How requests are authenticated (HMAC signs the exact JSON body).
    #[arg(long, value_enum, default_value_t = AuthArg::Hmac)]
    pub auth: AuthArg,
    /// Verify API base URL (default `https://verify.telesign.com`).
    #[arg(long)]
    pub base_url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum TeleSignVerificationCommand {
    /// Start a verification process (POST /verification). Finalize it
    /// afterwards: TeleSign bills the next channel of a process that is not
    /// finalized.
    Create(VerificationCreateArgs),
    /// Read a process: its state and each method's (GET /verification/{reference_id}).
    Get(VerificationGetArgs),
    /// Finalize a process with the code the user typed (PATCH
    /// /verification/{reference_id}/state): prints verified, wrong code,
    /// rejected, or not found or finished, and exits 0 for each.
    Finalize(VerificationFinalizeArgs),
}

#[derive(Debug, Args)]
pub struct VerificationCreateArgs {
    #[command(flatten)]
    pub account: TeleSignVerifyAccount,
    #[command(flatten)]
    pub send: SendOptions,
    #[command(flatten)]
    pub guard: GuardOptions,
    /// The phone number: digits, country code first (recipient.phone_number);
    /// required by every method but email and push.
    #[arg(long)]
    pub to: Option<String>,
    /// The email address, for the email method (recipient.email).
    #[arg(long)]
    pub email: Option<String>,
    /// The app's push token, for the push method (recipient.push_app_token).
    #[arg(long)]
    pub push_app_token: Option<String>,
    /// A method of the policy, in order, with its fallback time in seconds
    /// (at least 30; 60 by default, 120 for email): sms, voice, email,
    /// whatsapp, viber, rcs, silent, push. Repeat for fallbacks, e.g.
    /// `--method sms:30 --method whatsapp`. Absent: the account's routing
    /// (SMS unless set otherwise).
    #[arg(long = "method", value_name = "METHOD[:SECONDS]")]
    pub methods: Vec<String>,
    /// Your own code, 3 to 10 digits (security_factor); TeleSign generates
    /// one when absent. Finalize with the code the user typed all the same.
    #[arg(long)]
    pub code: Option<String>,
    /// Your reference for the process, at most 100 ASCII characters (external_id).
    #[arg(long)]
    pub external_id: Option<String>,
    /// A message template by name: lower-case letters and `_` (message_template.name).
    #[arg(long)]
    pub template: Option<String>,
}

#[derive(Debug, Args)]
pub struct VerificationGetArgs {
    #[command(flatten)]
    pub account: TeleSignVerifyAccount,
    #[command(flatten)]
    pub send: SendOptions,
    /// The reference_id the create returned (32 hex digits).
    #[arg(long)]
    pub reference_id: String,
}

#[derive(Debug, Args)]
pub struct VerificationFinalizeArgs {
    #[command(flatten)]
    pub account: TeleSignVerifyAccount,
    #[command(flatten)]
    pub send: SendOptions,
    /// The reference_id the create returned (32 hex digits).
    #[arg(long)]
    pub reference_id: String,
    /// The code the user typed, 3 to 10 digits (security_factor).
    #[arg(long)]
    pub code: String,
}

#[derive(Debug, Args)]
pub struct TeleSignCallbackArgs {
    /// TeleSign customer id (a `TSA` header must name it).
    #[arg(long, env = "TELESIGN_CUSTOMER_ID")]
    pub customer_id: Option<String>,
    /// TeleSign API key (base64): the signature is HMAC-SHA256 with it.
    #[arg(long, env = "TELESIGN_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// The callback's Authorization (or X-TS-Authorization) header value:
    /// `TSA customer_id:signature`, or the bare signature.
    #[arg(long, value_name = "HEADER")]
    pub authorization: String,
    /// The file holding the callback's raw body, byte for byte; standard
    /// input when absent.
    #[arg(long, value_name = "FILE")]
    pub body_file: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct TeleSignSendArgs {
    #[command(flatten)]
    pub account: TeleSignAccount,
    #[command(flatten)]
    pub send: SendOptions,
    #[command(flatten)]
    pub guard: GuardOptions,
    /// The phone number: digits, country code first (phone_number).
    #[arg(long)]
    pub to: String,
    /// Use case code: ATCK BACF BACS CHBK CLDR LEAD OTHR PWRT RESV RXPF SHIP THEF TRVF UNKN (ucid).
    #[arg(long)]
    pub ucid: Option<String>,
    /// The end user's IP address (originating_ip).
    #[arg(long)]
    pub originating_ip: Option<String>,
    /// Language of the predefined template (language).
    #[arg(long)]
    pub language: Option<String>,
    /// Your own code, 3 to 7 digits; TeleSign generates one when absent (verify_code).
    #[arg(long)]
    pub code: Option<String>,
    /// Message text, containing $$CODE$$ (template).
    #[arg(long)]
    pub template: Option<String>,
    /// The template length your account allows, 160 to 1600 (not sent).
    #[arg(long)]
    pub template_limit: Option<usize>,
    /// Sender id shown to the user, at most 20 characters (sender_id).
    #[arg(long)]
    pub sender_id: Option<String>,
    /// Sent as a backup after another provider failed (is_primary=false).
    #[arg(long)]
    pub backup: bool,
    /// India DLT template id (dlt_template_id).
    #[arg(long)]
    pub dlt_template_id: Option<String>,
    /// India DLT entity id (dlt_entity_id).
    #[arg(long)]
    pub dlt_entity_id: Option<String>,
    /// Payment amount for $$AMOUNT$$ (transaction_amount; needs --transaction-payee).
    #[arg(long)]
    pub transaction_amount: Option<String>,
    /// Payee for $$PAYEE$$ (transaction_payee; needs --transaction-amount).
    #[arg(long)]
    pub transaction_payee: Option<String>,
    /// Ask for a SIM swap check (sim_swap_check=true or false).
    #[arg(long)]
    pub sim_swap_check: Option<bool>,
}

#[derive(Debug, Args)]
pub struct TeleSignVoiceArgs {
    #[command(flatten)]
    pub account: TeleSignAccount,
    #[command(flatten)]
    pub send: SendOptions,
    #[command(flatten)]
    pub guard: GuardOptions,
    /// The phone number: digits, country code first (phone_number).
    #[arg(long)]
    pub to: String,
    /// Use case code (ucid).
    #[arg(long)]
    pub ucid: Option<String>,
    /// The end user's IP address (originating_ip).
    #[arg(long)]
    pub originating_ip: Option<String>,
    /// Language of the spoken message (language).
    #[arg(long)]
    pub language: Option<String>,
    /// Your own code, 3 to 7 digits (verify_code).
    #[arg(long)]
    pub code: Option<String>,
    /// Text to speak, containing $$CODE$$ (tts_message).
    #[arg(long)]
    pub tts_message: Option<String>,
    /// Sent as a backup after another provider failed (is_primary=false).
    #[arg(long)]
    pub backup: bool,
}

#[derive(Debug, Args)]
pub struct TeleSignStatusArgs {
    #[command(flatten)]
    pub account: TeleSignAccount,
    #[command(flatten)]
    pub send: SendOptions,
    /// The reference_id the send returned (32 hex digits).
    #[arg(long)]
    pub reference_id: String,
    /// The code the user typed, to check it (verify_code): prints valid,
    /// invalid, expired, too many attempts or not found, and exits 0 for
    /// each (only a failed request exits 1).
    #[arg(long)]
    pub code: Option<String>,
}

#[derive(Debug, Args)]
pub struct TeleSignCompleteArgs {
    #[command(flatten)]
    pub account: TeleSignAccount,
    #[command(flatten)]
    pub send: SendOptions,
    /// The reference_id the send returned (32 hex digits).
    #[arg(long)]
    pub reference_id: String,
}

/// `verify segments`.
#[derive(Debug, Args)]
pub struct SegmentsArgs {
    /// The message text. Code placeholders count as a code: `$$CODE$$`
    /// (TeleSign) as 7 digits, `{{code}}` (dotdigital) as 6, the neutral
    /// `{code}` as 7 (it may go to TeleSign); dotdigital's `{{validMinutes}}`
    /// as 2.
    pub text: String,
    /// The code's length for every code placeholder, 3 to 10.
    #[arg(long, value_name = "N")]
    pub code_length: Option<usize>,
}

#[derive(Debug, Subcommand)]
pub enum DotdigitalCommand {
    /// Create and send a code (POST /webapi/verify). May take up to 130 s.
    Send(DotdigitalSendArgs),
    /// Validate the code the user typed (PUT /WebApi/Verify/{requestId}/validate).
    Validate(DotdigitalValidateArgs),
}

#[derive(Debug, Args)]
pub struct DotdigitalSendArgs {
    #[command(flatten)]
    pub account: DotdigitalAccount,
    #[command(flatten)]
    pub send: SendOptions,
    #[command(flatten)]
    pub guard: GuardOptions,
    /// The phone number, international format, or local with --country-iso-code (to).
    #[arg(long)]
    pub to: String,
    /// Sender: 2-15 digits, or 2-11 letters, digits, - _ . and space (from).
    #[arg(long)]
    pub from: String,
    /// ISO 3166-1 alpha-3 country of a local number, e.g. GBR (countryIsoCode).
    #[arg(long)]
    pub country_iso_code: Option<String>,
    /// Message text containing {{code}}, optionally {{validMinutes}} (body).
    #[arg(long)]
    pub body: Option<String>,
    /// Code expiry, UTC ISO 8601 with milliseconds, at most 30 minutes ahead (validUntil).
    #[arg(long)]
    pub valid_until: Option<String>,
}

#[derive(Debug, Args)]
pub struct DotdigitalValidateArgs {
    #[command(flatten)]
    pub account: DotdigitalAccount,
    #[command(flatten)]
    pub send: SendOptions,
    /// The requestId the send returned.
    #[arg(long)]
    pub request_id: String,
    /// The code the user typed.
    #[arg(long)]
    pub code: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProviderArg {
    /// TeleSign Verify.
    Telesign,
    /// dotdigital CPaaS Verify.
    Dotdigital,
    /// TeleSign's Verify API (an SMS process; no --template or --sender).
    TelesignVerify,
}

/// Both accounts, for the provider-neutral commands.
#[derive(Debug, Args, Clone)]
pub struct NeutralAccounts {
    /// TeleSign customer id.
    #[arg(long, env = "TELESIGN_CUSTOMER_ID")]
    pub customer_id: Option<String>,
    /// TeleSign API key (base64, as the portal shows it).
    #[arg(long, env = "TELESIGN_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// How TeleSign requests are authenticated.
    #[arg(long, value_enum, default_value_t = AuthArg::Hmac)]
    pub auth: AuthArg,
    /// dotdigital API user name.
    #[arg(long, env = "DOTDIGITAL_USERNAME")]
    pub username: Option<String>,
    /// dotdigital API user password.
    #[arg(long, env = "DOTDIGITAL_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    /// Base URL for both providers (a sandbox serves both); see the
    /// provider-specific flags to set them apart.
    #[arg(long)]
    pub base_url: Option<String>,
    /// TeleSign base URL (overrides --base-url).
    #[arg(long)]
    pub telesign_base_url: Option<String>,
    /// dotdigital base URL (overrides --base-url).
    #[arg(long)]
    pub dotdigital_base_url: Option<String>,
    /// TeleSign Verify API base URL (overrides --base-url; default
    /// `https://verify.telesign.com`).
    #[arg(long)]
    pub telesign_verify_base_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct StartArgs {
    #[command(flatten)]
    pub accounts: NeutralAccounts,
    #[command(flatten)]
    pub send: SendOptions,
    #[command(flatten)]
    pub guard: GuardOptions,
    /// The phone number: digits, country code first.
    #[arg(long)]
    pub to: String,
    /// The provider to try first.
    #[arg(long, value_enum, default_value_t = ProviderArg::Telesign)]
    pub provider: ProviderArg,
    /// The provider to fall back to when the first one fails with nothing sent.
    #[arg(long, value_enum)]
    pub backup: Option<ProviderArg>,
    /// Also fall back to --backup when the first provider may already have
    /// sent a message (a timeout, a connection lost after the request went
    /// out, a delivery failure it reported): the user may then get two codes.
    /// Off by default; needs --backup.
    #[arg(long, requires = "backup")]
    pub failover_when_maybe_sent: bool,
    /// Who the message is from (TeleSign sender_id, dotdigital from).
    #[arg(long)]
    pub sender: Option<String>,
    /// Message text containing {code}.
    #[arg(long)]
    pub template: Option<String>,
    /// Your own code (digits); the provider generates one when absent.
    #[arg(long)]
    pub code: Option<String>,
    /// Send at most once for this key (per number) within --idempotency-ttl:
    /// a repeat (a double click, a retried request, another process with the
    /// same --store) prints the same verification with `replayed: true`, or
    /// the earlier failure, and sends nothing. 1 to 256 bytes, no control
    /// characters. The first start with the key is the answer: a repeat
    /// with another provider, code or template replays it unchanged.
    #[arg(long, value_name = "KEY")]
    pub idempotency_key: Option<String>,
    /// How long the key is remembered, e.g. `10m` (1 s to 1 day; 10 minutes
    /// by default).
    #[arg(long, value_name = "DURATION")]
    pub idempotency_ttl: Option<String>,
    /// Keep the verification by (purpose, number) in the store, so that
    /// `verify check --to NUMBER --purpose P` checks its code from any
    /// process (1 to 64 bytes, no spaces or control characters; `login`
    /// and `Login` are two purposes).
    #[arg(long)]
    pub purpose: Option<String>,
    /// Send again even though the key (or the purpose) already has a
    /// verification: a resend, replacing it.
    #[arg(long)]
    pub resend: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub accounts: NeutralAccounts,
    #[command(flatten)]
    pub send: SendOptions,
    #[command(flatten)]
    pub shield: ShieldOptions,
    /// The verification id `verify start` printed (provider:id, e.g.
    /// `telesign:<reference_id>`, `telesign_verify:<reference_id>`,
    /// `dotdigital:<requestId>`). Or --to with --purpose.
    #[arg(long)]
    pub id: Option<String>,
    /// Check the verification a `verify start --purpose` kept for this
    /// number in --store (redis://...), instead of --id; a verified one
    /// answers AlreadyVerified without asking the provider.
    #[arg(long)]
    pub to: Option<String>,
    /// With --to: the purpose the start was given.
    #[arg(long)]
    pub purpose: Option<String>,
    /// With --to: the provider the start used first (its settings are
    /// needed to check the code).
    #[arg(long, value_enum)]
    pub provider: Option<ProviderArg>,
    /// With --to: the provider the start may have failed over to.
    #[arg(long, value_enum)]
    pub backup: Option<ProviderArg>,
    /// The code the user typed.
    #[arg(long)]
    pub code: String,
}
