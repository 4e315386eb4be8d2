using Xunit.Sdk;

namespace Router.Fuzz.Tests;

/// <summary>
/// What a decoder may do with hostile input: return its documented failure, or throw its documented
/// exception type, and allocate no more than a fixed amount plus a multiple of the input's size. A decoder
/// that allocates what a length field announces fails the second rule with a few bytes of input.
/// </summary>
public static class Budget
{
    /// <summary>Runs decode on this thread and fails when it allocated more than fixedBytes + perInputByte x inputLength.</summary>
    public static T Allocation<T>(int inputLength, long fixedBytes, long perInputByte, Func<T> decode)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = decode();
        var used = GC.GetAllocatedBytesForCurrentThread() - before;
        var allowed = fixedBytes + perInputByte * inputLength;
        if (used > allowed)
            throw new XunitException($"allocated {used} bytes decoding {inputLength} bytes of input (allowed {allowed})");
        return result;
    }

    /// <summary>Runs decode; an exception of type TExpected is the decoder's documented refusal, anything else fails.</summary>
    public static T? Refusal<TExpected, T>(Func<T> decode) where TExpected : Exception
    {
        try
        {
            return decode();
        }
        catch (TExpected)
        {
            return default;
        }
    }
}
