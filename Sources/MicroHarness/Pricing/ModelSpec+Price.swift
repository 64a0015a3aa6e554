import MicroProviders

extension ModelSpec {
    /// The model as a price table names it: `provider/model` for a recorded model (the provider's default
    /// model when the file names none), `scripted/OWNER` for scripted turns, `catalog/NAME` for a catalogue
    /// backend. `owner` is the agent's name (`AGENT-summarizer` for its summarizer, as its model info says).
    public func priceKey(owner: String) -> (provider: String, model: String) {
        switch backend {
        case .scripted: ("scripted", owner)
        case .recorded(let provider, let model, _, _):
            (provider, model.isEmpty ? ProviderCatalog.entry(provider)?.defaultModel ?? "" : model)
        case .named(let name): ("catalog", name)
        }
    }

    /// The model's price: the one written with it, else `table`'s, else the bundled table's; nil when none
    /// has one (its cost is then unknown).
    public func resolvedPrice(owner: String, table: PriceTable) -> RunRecord.Price? {
        if let price { return price }
        let key = priceKey(owner: owner)
        return table.price(provider: key.provider, model: key.model)
            ?? PriceTable.bundled.price(provider: key.provider, model: key.model)
    }
}
