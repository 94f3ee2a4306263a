using System.Collections;
using System.Collections.Concurrent;
using System.Numerics;
using System.Reflection;

namespace AgentCluster.Evm.Abi;

/// <summary>Marks a <see cref="FunctionMessage"/> with the Solidity function it calls (Nethereum's shape).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class FunctionAttribute(string name, string? returnType = null) : Attribute
{
    public string Name { get; } = name;

    /// <summary>A single return type (<c>"bool"</c>, <c>"uint256"</c>), or null when <see cref="ReturnTypeDto"/> or nothing is returned.</summary>
    public string? ReturnType { get; } = returnType;

    /// <summary>A <c>[FunctionOutput]</c> class describing several return values.</summary>
    public Type? ReturnTypeDto { get; init; }
}

/// <summary>Marks a class whose <c>[Parameter]</c> properties are a function's return values.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class FunctionOutputAttribute : Attribute;

/// <summary>Marks an event DTO: a class whose <c>[Parameter]</c> properties are the event's inputs.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class EventAttribute(string name, bool anonymous = false) : Attribute
{
    public string Name { get; } = name;

    public bool Anonymous { get; } = anonymous;
}

/// <summary>Marks a custom error DTO: a class whose <c>[Parameter]</c> properties are the error's inputs.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ErrorAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>
/// A parameter of a function, output, event, error or struct: its Solidity type (<c>"uint256"</c>, <c>"address[]"</c>,
/// <c>"tuple"</c> / <c>"tuple[]"</c> for a property whose type is itself a class of <c>[Parameter]</c> properties),
/// name, 1-based order, and for events whether it is indexed.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = true)]
public sealed class ParameterAttribute(string type, string? name = null, int order = 0, bool indexed = false) : Attribute
{
    public string Type { get; } = type;

    public string? Name { get; } = name;

    public int Order { get; } = order;

    public bool Indexed { get; } = indexed;
}

/// <summary>
/// Base class of typed function messages: subclass it, put <c>[Function("transfer", "bool")]</c> on the class and
/// <c>[Parameter("address", "to", 1)]</c> on each argument property. The transaction fields are optional overrides
/// that the transaction manager (later) fills in when null.
/// </summary>
public abstract class FunctionMessage
{
    /// <summary>Wei sent with the call.</summary>
    public UInt256 AmountToSend { get; set; }

    public ulong? Gas { get; set; }

    public ulong? Nonce { get; set; }

    public UInt256? MaxFeePerGas { get; set; }

    public UInt256? MaxPriorityFeePerGas { get; set; }

    /// <summary>The function this message type calls.</summary>
    public AbiFunction GetAbiFunction() => TypedMessages.FunctionOf(GetType());

    /// <summary>Selector + encoded arguments.</summary>
    public byte[] GetCallData() => GetAbiFunction().EncodeCall(TypedMessages.ValuesOf(this));

    /// <summary>Decodes the return data into <typeparamref name="TOutput"/> (a <c>[FunctionOutput]</c> class).</summary>
    public TOutput DecodeOutput<TOutput>(ReadOnlySpan<byte> returnData)
        where TOutput : new() => TypedMessages.Decode<TOutput>(GetAbiFunction().DecodeOutput(returnData));

    /// <summary>Decodes a single return value and converts it to <typeparamref name="T"/> (BigInteger, int, Address, string, byte[], ...).</summary>
    public T DecodeSimpleOutput<T>(ReadOnlySpan<byte> returnData) => (T)TypedMessages.Convert(GetAbiFunction().DecodeOutput(returnData).Single(), typeof(T))!;
}

/// <summary>Reflection over the attribute-annotated classes: ABI descriptions are built once per type and cached.</summary>
public static class TypedMessages
{
    private static readonly ConcurrentDictionary<Type, (PropertyInfo Property, ParameterAttribute Attribute)[]> Parameters = new();
    private static readonly ConcurrentDictionary<Type, AbiFunction> Functions = new();
    private static readonly ConcurrentDictionary<Type, AbiEvent> Events = new();
    private static readonly ConcurrentDictionary<Type, AbiError> Errors = new();

    public static AbiFunction FunctionOf(Type messageType) => Functions.GetOrAdd(messageType, t =>
    {
        var attribute = t.GetCustomAttribute<FunctionAttribute>() ?? throw new ArgumentException($"{t.Name} has no [Function] attribute.", nameof(messageType));
        IReadOnlyList<AbiParameter> outputs = attribute.ReturnTypeDto is { } dto
            ? AbiParametersOf(dto)
            : attribute.ReturnType is { } single ? [new AbiParameter(AbiType.Parse(single))] : [];
        return new AbiFunction(attribute.Name, AbiParametersOf(t), outputs);
    });

    public static AbiEvent EventOf(Type eventType) => Events.GetOrAdd(eventType, t =>
    {
        var attribute = t.GetCustomAttribute<EventAttribute>() ?? throw new ArgumentException($"{t.Name} has no [Event] attribute.", nameof(eventType));
        return new AbiEvent(attribute.Name, AbiParametersOf(t), attribute.Anonymous);
    });

    public static AbiError ErrorOf(Type errorType) => Errors.GetOrAdd(errorType, t =>
    {
        var attribute = t.GetCustomAttribute<ErrorAttribute>() ?? throw new ArgumentException($"{t.Name} has no [Error] attribute.", nameof(errorType));
        return new AbiError(attribute.Name, AbiParametersOf(t));
    });

    /// <summary>Decodes a log into an <c>[Event]</c> DTO (indexed dynamic values can only be bound to a <see cref="Hash32"/> or byte[] property).</summary>
    public static TEvent DecodeEvent<TEvent>(IReadOnlyList<Hash32> topics, ReadOnlySpan<byte> data)
        where TEvent : new() => Decode<TEvent>(EventOf(typeof(TEvent)).DecodeLog(topics, data).Values);

    /// <summary>The parameters of a class, in <see cref="ParameterAttribute.Order"/>; <c>tuple</c> types take their components from the property's class.</summary>
    public static IReadOnlyList<AbiParameter> AbiParametersOf(Type type) =>
        ParametersOf(type).Select(p => new AbiParameter(TypeOf(p.Attribute.Type, p.Property.PropertyType), p.Attribute.Name ?? p.Property.Name, p.Attribute.Indexed)).ToArray();

    /// <summary>The values of an object's <c>[Parameter]</c> properties in order, structs flattened to object?[].</summary>
    public static object?[] ValuesOf(object instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return ParametersOf(instance.GetType()).Select(p => ToAbiValue(p.Property.GetValue(instance), p.Attribute.Type)).ToArray();
    }

    /// <summary>Builds a <typeparamref name="T"/> from decoded values in parameter order.</summary>
    public static T Decode<T>(IReadOnlyList<object?> values)
        where T : new() => (T)Build(typeof(T), values);

    internal static object? Convert(object? value, Type target)
    {
        Type type = Nullable.GetUnderlyingType(target) ?? target;
        switch (value)
        {
            case null:
                return null;
            case var _ when type.IsInstanceOfType(value) && value is not object[]:
                return value;
            case BigInteger n:
                if (type == typeof(UInt256)) return new UInt256(n);
                if (type == typeof(Int256)) return new Int256(n);
                if (type == typeof(int)) return (int)n;
                if (type == typeof(uint)) return (uint)n;
                if (type == typeof(long)) return (long)n;
                if (type == typeof(ulong)) return (ulong)n;
                if (type == typeof(short)) return (short)n;
                if (type == typeof(ushort)) return (ushort)n;
                if (type == typeof(byte)) return (byte)n;
                if (type == typeof(sbyte)) return (sbyte)n;
                break;
            case Address address when type == typeof(string):
                return address.ToString();
            case byte[] bytes when type == typeof(Hash32) && bytes.Length == 32:
                return new Hash32(bytes);
            case Hash32 hash when type == typeof(byte[]):
                return hash.ToArray();
            case object?[] items when type.IsArray:
            {
                Type element = type.GetElementType()!;
                var array = Array.CreateInstance(element, items.Length);
                for (int i = 0; i < items.Length; i++)
                {
                    array.SetValue(Convert(items[i], element), i);
                }

                return array;
            }

            case object?[] items when type.IsGenericType && typeof(IList).IsAssignableFrom(type) || type.IsInterface && type.IsGenericType:
            {
                Type element = type.GetGenericArguments()[0];
                var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
                foreach (object? item in items)
                {
                    list.Add(Convert(item, element));
                }

                return list;
            }

            case object?[] items when type.IsClass:
                return Build(type, items);
        }

        throw new InvalidCastException($"Cannot convert a decoded {value.GetType().Name} to {target.Name}.");
    }

    private static object Build(Type type, IReadOnlyList<object?> values)
    {
        var parameters = ParametersOf(type);
        if (parameters.Length != values.Count)
        {
            throw new InvalidOperationException($"{type.Name} has {parameters.Length} [Parameter] properties but {values.Count} values were decoded.");
        }

        object instance = Activator.CreateInstance(type) ?? throw new InvalidOperationException($"{type.Name} needs a parameterless constructor.");
        for (int i = 0; i < parameters.Length; i++)
        {
            parameters[i].Property.SetValue(instance, Convert(values[i], parameters[i].Property.PropertyType));
        }

        return instance;
    }

    private static (PropertyInfo Property, ParameterAttribute Attribute)[] ParametersOf(Type type) => Parameters.GetOrAdd(type, t =>
        t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Property: p, Attribute: p.GetCustomAttribute<ParameterAttribute>()!))
            .Where(p => p.Attribute is not null)
            .OrderBy(p => p.Attribute.Order)
            .ToArray());

    private static AbiType TypeOf(string solidityType, Type propertyType)
    {
        if (!solidityType.StartsWith("tuple", StringComparison.Ordinal) || solidityType.StartsWith("tuple(", StringComparison.Ordinal))
        {
            return AbiType.Parse(solidityType);
        }

        // "tuple", "tuple[]", "tuple[2][]": the components come from the property's (element) class.
        Type structType = propertyType;
        while (structType != typeof(string) && (structType.IsArray || structType.IsGenericType))
        {
            structType = structType.IsArray ? structType.GetElementType()! : structType.GetGenericArguments()[0];
        }

        string components = "(" + string.Join(",", AbiParametersOf(structType).Select(p => p.Type.CanonicalName)) + ")";
        return AbiType.Parse(components + solidityType["tuple".Length..]);
    }

    private static object? ToAbiValue(object? value, string solidityType)
    {
        if (!solidityType.StartsWith("tuple", StringComparison.Ordinal) || value is null)
        {
            return value;
        }

        return solidityType.EndsWith(']') && value is IEnumerable items
            ? items.Cast<object?>().Select(v => ToAbiValue(v, solidityType[..solidityType.LastIndexOf('[')])).ToArray()
            : ValuesOf(value);
    }
}
