using Router.Integrations.Events;
using Tmds.DBus.Protocol;

namespace Router.Integrations.DBus;

/// <summary>A property value of the API: what is compared to find changes and written as a variant.</summary>
internal abstract record DBusValue
{
    public abstract void WriteVariant(ref MessageWriter writer);
}

internal sealed record StringValue(string Value) : DBusValue
{
    public override void WriteVariant(ref MessageWriter writer) => writer.WriteVariantString(Value);
}

internal sealed record IntValue(int Value) : DBusValue
{
    public override void WriteVariant(ref MessageWriter writer) => writer.WriteVariantInt32(Value);
}

internal sealed record BoolValue(bool Value) : DBusValue
{
    public override void WriteVariant(ref MessageWriter writer) => writer.WriteVariantBool(Value);
}

/// <summary>"as" or, with <paramref name="Paths"/>, "ao".</summary>
internal sealed record ListValue(IReadOnlyList<string> Items, bool Paths = false) : DBusValue
{
    public bool Equals(ListValue? other) => other is not null && Paths == other.Paths && Items.SequenceEqual(other.Items);

    public override int GetHashCode() => Items.Count;

    public override void WriteVariant(ref MessageWriter writer)
    {
        writer.WriteSignature(Paths ? "ao" : "as");
        var start = writer.WriteArrayStart(Paths ? DBusType.ObjectPath : DBusType.String);
        foreach (var item in Items)
        {
            if (Paths) writer.WriteObjectPath(item);
            else writer.WriteString(item);
        }
        writer.WriteArrayEnd(start);
    }
}

/// <summary>The role plan, "a(sssss)": name, phase, direction, outcome, error ("" when none), in plan order.</summary>
internal sealed record PlanValue(IReadOnlyList<ActionView> Steps) : DBusValue
{
    public bool Equals(PlanValue? other) => other is not null && Steps.SequenceEqual(other.Steps);

    public override int GetHashCode() => Steps.Count;

    public override void WriteVariant(ref MessageWriter writer)
    {
        writer.WriteSignature("a(sssss)");
        var start = writer.WriteArrayStart(DBusType.Struct);
        foreach (var s in Steps)
        {
            writer.WriteStructureStart();
            writer.WriteString(s.Name);
            writer.WriteString(s.Phase);
            writer.WriteString(s.Direction);
            writer.WriteString(s.Outcome);
            writer.WriteString(s.Error ?? "");
        }
        writer.WriteArrayEnd(start);
    }
}
