using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Opsmith.Architecture.Tests;

/// <summary>A method of one of our assemblies that calls, creates or takes the address of a member of another type.</summary>
public sealed record IlReference(string Assembly, string CallerType, string CallerMethod, string TargetType, string TargetMember)
{
    public override string ToString() => $"{CallerType}.{CallerMethod} → {TargetType}.{TargetMember}";
}

/// <summary>
/// Reads the IL of an assembly (no loading, no reflection over its types) and lists every member reference its
/// method bodies make through call, callvirt, newobj, ldftn, ldvirtftn and jmp. Compiler-generated types (lambdas,
/// async state machines) are reported as the type that contains them, so a process started from a lambda counts
/// against the class that wrote it.
/// </summary>
public static class IlReferences
{
    private static readonly Dictionary<short, OperandType> Operands = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value, o => o.OperandType);

    private static readonly HashSet<short> Calls = [OpCodes.Call.Value, OpCodes.Callvirt.Value, OpCodes.Newobj.Value, OpCodes.Ldftn.Value,
        OpCodes.Ldvirtftn.Value, OpCodes.Jmp.Value];

    public static IEnumerable<IlReference> Of(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var assembly = md.GetString(md.GetAssemblyDefinition().Name);
        var found = new List<IlReference>();
        foreach (var typeHandle in md.TypeDefinitions)
        {
            var type = md.GetTypeDefinition(typeHandle);
            var caller = OuterName(md, type);
            foreach (var methodHandle in type.GetMethods())
            {
                var method = md.GetMethodDefinition(methodHandle);
                if (method.RelativeVirtualAddress == 0) continue;
                var il = pe.GetMethodBody(method.RelativeVirtualAddress).GetILReader();
                while (il.RemainingBytes > 0)
                {
                    short code = il.ReadByte();
                    if (code == 0xFE) code = unchecked((short)(0xFE00 | il.ReadByte()));
                    if (!Operands.TryGetValue(code, out var operand))
                        throw new InvalidDataException($"{assembly}: {caller}.{md.GetString(method.Name)}: unknown opcode 0x{code:X} at IL offset {il.Offset - 1}");
                    if (Calls.Contains(code))
                    {
                        var token = il.ReadInt32();
                        if (Target(md, MetadataTokens.EntityHandle(token)) is var (targetType, member))
                            found.Add(new IlReference(assembly, caller, md.GetString(method.Name), targetType, member));
                        continue;
                    }
                    Skip(ref il, operand);
                }
            }
        }
        return found;
    }

    private static void Skip(ref BlobReader il, OperandType operand)
    {
        switch (operand)
        {
            case OperandType.InlineNone: break;
            case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar: il.Offset += 1; break;
            case OperandType.InlineVar: il.Offset += 2; break;
            case OperandType.InlineI8 or OperandType.InlineR: il.Offset += 8; break;
            case OperandType.InlineSwitch:
                var targets = il.ReadInt32();
                il.Offset += 4 * targets;
                break;
            default: il.Offset += 4; break;
        }
    }

    private static (string Type, string Member)? Target(MetadataReader md, EntityHandle handle)
    {
        switch (handle.Kind)
        {
            case HandleKind.MethodDefinition:
            {
                var m = md.GetMethodDefinition((MethodDefinitionHandle)handle);
                return (FullName(md, md.GetTypeDefinition(m.GetDeclaringType())), md.GetString(m.Name));
            }
            case HandleKind.MemberReference:
            {
                var m = md.GetMemberReference((MemberReferenceHandle)handle);
                return (TypeName(md, m.Parent), md.GetString(m.Name));
            }
            case HandleKind.MethodSpecification:
                return Target(md, md.GetMethodSpecification((MethodSpecificationHandle)handle).Method);
            default:
                return null;
        }
    }

    private static string TypeName(MetadataReader md, EntityHandle handle) => handle.Kind switch
    {
        HandleKind.TypeReference => FullName(md, md.GetTypeReference((TypeReferenceHandle)handle)),
        HandleKind.TypeDefinition => FullName(md, md.GetTypeDefinition((TypeDefinitionHandle)handle)),
        HandleKind.TypeSpecification => GenericName(md, md.GetTypeSpecification((TypeSpecificationHandle)handle)),
        _ => "?",
    };

    /// <summary>For <c>List&lt;T&gt;</c> and friends: the generic type's name, read from the signature's head.</summary>
    private static string GenericName(MetadataReader md, TypeSpecification spec)
    {
        var blob = md.GetBlobReader(spec.Signature);
        if (blob.ReadSignatureTypeCode() != SignatureTypeCode.GenericTypeInstance) return "?";
        blob.ReadSignatureTypeCode();
        return TypeName(md, blob.ReadTypeHandle());
    }

    private static string FullName(MetadataReader md, TypeReference type) =>
        type.ResolutionScope.Kind == HandleKind.TypeReference
            ? $"{FullName(md, md.GetTypeReference((TypeReferenceHandle)type.ResolutionScope))}+{md.GetString(type.Name)}"
            : Join(md.GetString(type.Namespace), md.GetString(type.Name));

    private static string FullName(MetadataReader md, TypeDefinition type) =>
        type.GetDeclaringType().IsNil
            ? Join(md.GetString(type.Namespace), md.GetString(type.Name))
            : $"{FullName(md, md.GetTypeDefinition(type.GetDeclaringType()))}+{md.GetString(type.Name)}";

    /// <summary>The outermost type a (possibly compiler-generated, nested) type belongs to.</summary>
    private static string OuterName(MetadataReader md, TypeDefinition type)
    {
        while (!type.GetDeclaringType().IsNil) type = md.GetTypeDefinition(type.GetDeclaringType());
        return Join(md.GetString(type.Namespace), md.GetString(type.Name));
    }

    private static string Join(string ns, string name) => ns.Length == 0 ? name : $"{ns}.{name}";
}
