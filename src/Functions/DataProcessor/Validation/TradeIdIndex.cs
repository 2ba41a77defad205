using System.Numerics;

namespace TradingPlatform.Functions.DataProcessor.Validation;

/// <summary>
/// tradeId -> index of its first trade. Open addressing over two small arrays instead of a Dictionary: for 5000
/// trades a Dictionary's entry array lands on the large object heap (85 KB+) and every request then pays for a
/// full (gen 2) collection sooner or later.
/// </summary>
internal sealed class TradeIdIndex(int expected)
{
    private string[] _ids = new string[expected];
    private int[] _firstIndex = new int[expected];
    private int[] _slots = new int[SlotCount(expected)]; // 0 = empty, else position in _ids + 1
    private int _count;

    /// <summary>Adds the id with this index, or returns the index it was first seen at.</summary>
    public int AddOrGetFirst(string id, int index)
    {
        var mask = _slots.Length - 1;
        for (var slot = id.GetHashCode() & mask; ; slot = (slot + 1) & mask)
        {
            var entry = _slots[slot];
            if (entry == 0)
            {
                break;
            }

            if (string.Equals(_ids[entry - 1], id, StringComparison.Ordinal))
            {
                return _firstIndex[entry - 1];
            }
        }

        if (_count == _ids.Length || (_count + 1) * 2 > _slots.Length)
        {
            Grow();
        }

        _ids[_count] = id;
        _firstIndex[_count] = index;
        _count++;
        Place(_count);
        return index;
    }

    private void Place(int entry)
    {
        var mask = _slots.Length - 1;
        var slot = _ids[entry - 1].GetHashCode() & mask;
        while (_slots[slot] != 0)
        {
            slot = (slot + 1) & mask;
        }

        _slots[slot] = entry;
    }

    private void Grow()
    {
        Array.Resize(ref _ids, Math.Max(4, _ids.Length * 2));
        Array.Resize(ref _firstIndex, _ids.Length);
        _slots = new int[SlotCount(_ids.Length)];
        for (var entry = 1; entry <= _count; entry++)
        {
            Place(entry);
        }
    }

    /// <summary>A power of two at least twice the capacity: the table stays at most half full.</summary>
    private static int SlotCount(int capacity) => (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(4, capacity * 2));
}
