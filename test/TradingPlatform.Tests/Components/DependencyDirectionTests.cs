using System.Reflection;
using Shouldly;
using Xunit;

namespace TradingPlatform.Tests.Components;

/// <summary>
/// Dependencies point one way: the app composes stacks, stacks compose components, components use configuration and
/// the core. A component that reached back into a stack could not be built on its own (or reused by another layer),
/// and the stack's change would ripple into every component.
/// </summary>
public sealed class DependencyDirectionTests
{
    private const string ComponentsNamespace = "TradingPlatform.Constructs";
    private const string StacksNamespace = "TradingPlatform.Stacks";

    [Fact]
    public void No_source_file_under_src_Constructs_names_the_stacks_namespace()
    {
        // Catches a bare `using TradingPlatform.Stacks;` too, which compiles to nothing reflection could see.
        var constructs = Path.Combine(SynthCache.RepositoryRoot(), "src", "Constructs");
        var offenders = Directory.EnumerateFiles(constructs, "*.cs", SearchOption.AllDirectories)
            .Where(file => File.ReadAllText(file).Contains(StacksNamespace, StringComparison.Ordinal))
            .Select(file => Path.GetRelativePath(constructs, file))
            .ToList();

        offenders.ShouldBeEmpty($"components must not depend on the stacks that compose them ({StacksNamespace})");
    }

    [Fact]
    public void No_component_type_refers_to_a_stack_type()
    {
        // Base types, interfaces, fields, properties, constructor and method signatures of every type in the components'
        // namespaces (nested and compiler-generated types included: a lambda's captured stack is a field there).
        var app = typeof(TradingPlatformApp).Assembly;
        var offenders = app.GetTypes()
            .Where(type => type.Namespace is { } ns && (ns == ComponentsNamespace || ns.StartsWith(ComponentsNamespace + ".", StringComparison.Ordinal)))
            .SelectMany(type => ReferencedTypes(type).Where(IsStackType).Select(used => $"{type.FullName} -> {used.FullName}"))
            .Distinct()
            .ToList();

        app.GetTypes().ShouldContain(type => type.Namespace == StacksNamespace, "the scan must look at the stacks' namespace as it is named");
        offenders.ShouldBeEmpty($"components must not depend on the stacks that compose them ({StacksNamespace})");
    }

    private static bool IsStackType(Type type) =>
        Unwrap(type).Any(t => t.Namespace is { } ns && (ns == StacksNamespace || ns.StartsWith(StacksNamespace + ".", StringComparison.Ordinal)));

    // A type with its element and generic argument types (IReadOnlyList<ApiStack> refers to ApiStack).
    private static IEnumerable<Type> Unwrap(Type type)
    {
        yield return type;
        if (type.HasElementType && type.GetElementType() is { } element)
        {
            foreach (var inner in Unwrap(element))
            {
                yield return inner;
            }
        }

        if (type.IsGenericType)
        {
            foreach (var inner in type.GetGenericArguments().SelectMany(Unwrap))
            {
                yield return inner;
            }
        }
    }

    private static IEnumerable<Type> ReferencedTypes(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        if (type.BaseType is { } baseType)
        {
            yield return baseType;
        }

        foreach (var contract in type.GetInterfaces())
        {
            yield return contract;
        }

        foreach (var field in type.GetFields(all))
        {
            yield return field.FieldType;
        }

        foreach (var property in type.GetProperties(all))
        {
            yield return property.PropertyType;
        }

        foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
        {
            if (method is MethodInfo info)
            {
                yield return info.ReturnType;
            }

            foreach (var parameter in method.GetParameters())
            {
                yield return parameter.ParameterType;
            }

            foreach (var local in method.GetMethodBody()?.LocalVariables ?? [])
            {
                yield return local.LocalType;
            }
        }
    }
}
