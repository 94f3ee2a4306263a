using System.Text.Json;

namespace AgentCluster.Solana.Rpc;

/// <summary>
/// A transaction error as the RPC writes it, decoded: <c>"BlockhashNotFound"</c> is <see cref="Kind"/> BlockhashNotFound;
/// <c>{"InstructionError":[0,{"Custom":7}]}</c> is Kind InstructionError, <see cref="InstructionIndex"/> 0,
/// <see cref="InstructionErrorKind"/> Custom, <see cref="CustomCode"/> 7; <c>{"InstructionError":[1,"InvalidArgument"]}</c> has
/// InstructionErrorKind InvalidArgument and no custom code. <see cref="Json"/> keeps the original.
/// </summary>
public sealed record TransactionError(string Kind, int? InstructionIndex, string? InstructionErrorKind, uint? CustomCode, string Json)
{
    /// <summary>Decodes the RPC's JSON form; null for JSON null.</summary>
    public static TransactionError? FromJson(JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Null or JsonValueKind.Undefined:
                return null;
            case JsonValueKind.String:
                return new TransactionError(e.GetString()!, null, null, null, e.GetRawText());
            case JsonValueKind.Object:
                foreach (JsonProperty p in e.EnumerateObject())
                {
                    if (p.Name == "InstructionError" && p.Value.ValueKind == JsonValueKind.Array && p.Value.GetArrayLength() == 2)
                    {
                        int index = p.Value[0].GetInt32();
                        JsonElement inner = p.Value[1];
                        if (inner.ValueKind == JsonValueKind.String)
                        {
                            return new TransactionError(p.Name, index, inner.GetString(), null, e.GetRawText());
                        }

                        foreach (JsonProperty q in inner.EnumerateObject())
                        {
                            uint? custom = q.Name == "Custom" && q.Value.ValueKind == JsonValueKind.Number ? q.Value.GetUInt32() : null;
                            return new TransactionError(p.Name, index, q.Name, custom, e.GetRawText());
                        }
                    }

                    return new TransactionError(p.Name, null, null, null, e.GetRawText());
                }

                break;
        }

        return new TransactionError(e.GetRawText(), null, null, null, e.GetRawText());
    }

    /// <inheritdoc />
    public override string ToString() => Json;
}
