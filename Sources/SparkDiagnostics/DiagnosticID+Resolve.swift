/// Ids of the errors the resolver (SparkPlan) reports: entries that each fit the schema but
/// do not fit together.
extension DiagnosticID {
    static let resolveIDs: [DiagnosticID] = [
        resolveUnknownReference, resolveMissingSecret, resolveMissingApp, resolveNameClash,
        resolveLinkAddress, resolveNoSharedLink, resolveSharingConflict, resolveTailnetListen,
        resolveCatalogIncomplete, resolveUnknownRule, resolveUnusedAcceptance, resolveOfferNotRouted, resolveOfferConflict,
    ]

    public static let resolveUnknownReference = DiagnosticID(
        "RS001", .resolve, "unknown-reference", title: "a name that no entry defines",
        meaning: "An entry names a node, owner, tailnet, host, link, model or catalog that the topology does not define, usually a typo.",
        allowed: "the names defined in the topology; the help line lists them.",
        fix: "correct the name (the help line suggests the nearest) or define the entry.",
        example: "    owner: yuo")

    public static let resolveMissingSecret = DiagnosticID(
        "RS002", .resolve, "missing-secret", title: "a service without the secret it needs",
        meaning: "An app or model needs a secret (LiteLLM's master_key, a database or Redis password, an NGC key) that its owner does not reference.",
        allowed: "the secret referenced as {file: \"~/.name.env\"}.",
        fix: "add the reference the help line shows.")

    public static let resolveMissingApp = DiagnosticID(
        "RS003", .resolve, "missing-app", title: "an app that needs another app the node does not run",
        meaning: "An app talks to, or is served by, another app (LiteLLM) that is not on the node it names.",
        allowed: "the app beside the one it serves, or a setting naming a node that runs it.",
        fix: "add the missing app, or remove the one that needs it.",
        example: "    apps: [open-webui]")

    public static let resolveNameClash = DiagnosticID(
        "RS004", .resolve, "name-clash", title: "two entries with one name",
        meaning: "A node and a host, or a backend or route and a model, share a name, so a reference or a client's request could reach either.",
        allowed: "distinct names.",
        fix: "rename one of them.")

    public static let resolveLinkAddress = DiagnosticID(
        "RS005", .resolve, "link-address", title: "an address that does not fit its link",
        meaning:
            "A node or host has an address on a link that is not defined, outside the link's subnet, on a link kind it may not join, or without the interface name the link needs.",
        allowed: "addresses on defined links, within their subnets, with an interface for direct links and fabrics.",
        fix: "correct the address or the link as the help line says.")

    public static let resolveNoSharedLink = DiagnosticID(
        "RS006", .resolve, "no-shared-link", title: "machines that must talk share no network (or several)",
        meaning:
            "Two machines that call each other (a cluster's nodes, a panel and its node, a service and its clients) share no link, or share several and the topology does not say which.",
        allowed: "one shared link, named with 'link:' when there are several.",
        fix: "put them on one link, or name the one to use.")

    public static let resolveSharingConflict = DiagnosticID(
        "RS007", .resolve, "sharing-conflict", title: "entries that share a server disagree",
        meaning: "Models that share one server, service, catalog or LiteLLM ask it for different things (image, context length, start mode, key, head node).",
        allowed: "sharing entries that agree.",
        fix: "make them agree, or give one its own server or name.")

    public static let resolveTailnetListen = DiagnosticID(
        "RS008", .resolve, "tailnet-listen", title: "a service on the tailnet without what that needs",
        meaning:
            "A model or backend reached over the tailnet needs a tailnet address, an api_key every tagged device cannot bypass, and a runtime spark-gen can expose safely.",
        allowed: "listen: tailnet on a one-node vLLM with an api_key read as VLLM_API_KEY, on a node with tailnet_ip.",
        fix: "add what the help line names, or keep the service off the tailnet.",
        example: "    listen: tailnet   # and no api_key")

    public static let resolveCatalogIncomplete = DiagnosticID(
        "RS009", .resolve, "catalog-incomplete", title: "a catalog missing a part it names",
        meaning: "A catalog's active model is not one of its members, or it has a panel_url without a panel.",
        allowed: "an active model in the catalog, and panel_url only with panel.",
        fix: "correct the catalog as the help line says.")

    public static let resolveUnknownRule = DiagnosticID(
        "RS010", .resolve, "unknown-rule", title: "accept_risks names a rule that does not exist",
        meaning: "An acceptance for a rule id spark-gen does not have accepts nothing; it is usually a typo.",
        allowed: "the ids 'spark-gen rules' lists.",
        fix: "correct the id (the help line suggests the nearest) or remove the entry.",
        example: "accept_risks:\n  - {rule: TR01, reason: \"…\"}")

    public static let resolveUnusedAcceptance = DiagnosticID(
        "RS011", .resolve, "unused-acceptance", severity: .warning,
        title: "an accepted risk that matches no finding",
        meaning: "The rule it accepts no longer fires; left in place, it would silently cover a future finding of that rule.",
        allowed: "acceptances for findings the topology has.",
        fix: "remove the entry.")

    public static let resolveOfferNotRouted = DiagnosticID(
        "RS012", .resolve, "offer-not-routed", title: "an offered model the offering gateway does not route",
        meaning:
            "An owner offers another owner a model through its LiteLLM, but that LiteLLM has no route for it: the minted key would name a model the gateway cannot serve.",
        allowed: "models the owner's gateway routes (its owner's models and its tailnet's backends).",
        fix: "route the model (owners.<o>.models) or drop it from the offer.",
        example: "    offers:\n      - {to: housemate, models: [not-routed], via: lan, key: {file: ~/.offer.env}}")

    public static let resolveOfferConflict = DiagnosticID(
        "RS013", .resolve, "offer-conflict", title: "offers the runbooks cannot carry out as written",
        meaning:
            "Two offers from one owner to the same owner would mint two keys under one alias; two offer keys (or an offer key and the LiteLLM's own secrets) loaded into one LiteLLM under one variable would leave one backend with the other's key, as the later env file wins; and two gateways that each receive the other's offer would each wait for the other's key before starting.",
        allowed: "one offer per pair of owners, a distinct variable for every secret one LiteLLM loads, and offers whose gateways do not wait on each other.",
        fix:
            "list every offered model in one entry, name a variable for the key ({file: ~/.offer.env, var: LITELLM_OFFER_KEY_GUEST}), or offer in one direction.",
        example:
            "    offers:\n      - {to: housemate, models: [a], via: lan, key: {file: ~/.offer-a.env}}\n      - {to: housemate, models: [b], via: lan, key: {file: ~/.offer-b.env}}"
    )
}
