using System.Globalization;
using Microsoft.Data.Sqlite;

namespace AgentCluster.Keepers.Indexing;

/// <summary>Opening a keeper's index file read-only for a view (<see cref="ReputationView"/>, <see cref="NetworkView"/>), with its schema checked.</summary>
internal static class IndexFile
{
    /// <summary>The oldest schema the views read (block times and reputation changes came with 2).</summary>
    public const int MinimumViewSchema = 2;

    /// <summary>Opens <paramref name="connectionString"/> and checks that it is an index of schema <see cref="MinimumViewSchema"/> or later.</summary>
    /// <exception cref="InvalidDataException">The file is not a keeper index, or an older one (the message names <paramref name="path"/>).</exception>
    public static async Task<SqliteConnection> OpenReadOnlyAsync(string connectionString, string path, CancellationToken ct)
    {
        var db = new SqliteConnection(connectionString);
        try
        {
            await db.OpenAsync(ct).ConfigureAwait(false);
            await using SqliteCommand cmd = db.CreateCommand();
            cmd.CommandText = "SELECT value FROM meta WHERE key = 'schema'";
            object? schema = await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false);
            if (schema is not string text || !int.TryParse(text, CultureInfo.InvariantCulture, out int version) || version < MinimumViewSchema)
            {
                throw new InvalidDataException($"'{path}' is not a keeper index of schema {MinimumViewSchema} or later (found {schema ?? "none"}): let the keeper rebuild it.");
            }

            return db;
        }
        catch (SqliteException e)
        {
            await db.DisposeAsync().ConfigureAwait(false);
            throw new InvalidDataException($"'{path}' is not a keeper index: {e.Message}", e);
        }
        catch
        {
            await db.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
