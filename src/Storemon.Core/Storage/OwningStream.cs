namespace Storemon.Storage;

/// <summary>
/// A read-only stream over data that lives in the database, which also owns what it reads through
/// (the reader, the connection): disposing the stream releases them.
/// </summary>
internal sealed class OwningStream(Stream inner, params IDisposable[] owned) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => false;
    public override long Length => inner.Length;
    public override long Position { get => inner.Position; set => inner.Position = value; }
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override int Read(Span<byte> buffer) => inner.Read(buffer);
    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            // Innermost first: a reader before its command, a command before its connection.
            foreach (var resource in owned)
            {
                resource.Dispose();
            }
        }
        base.Dispose(disposing);
    }
}
